import { existsSync } from 'node:fs';
import {
  check,
  createRng,
  deriveSeed,
  Linear,
  listNames,
  MergebenchError,
  openSafetensors,
  type TaskHeads,
  writeSafetensors,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { CosineHead } from './cosine-head.js';

/** The conventional name of a heads file. */
export const HEADS_FILE = 'heads.safetensors';

/** The keys of a task's head in a heads file: a linear head has a bias, a cosine head a logit scale. */
export function headKeys(task: string): { weight: string; bias: string; logitScale: string } {
  return { weight: `${task}.weight`, bias: `${task}.bias`, logitScale: `${task}.logit_scale` };
}

/** A head of either kind: features [B, inFeatures] → logits [B, outFeatures]. */
export type ClassifierHead = Linear | CosineHead;

/** Frozen heads (features → logits), one per task. */
export class TaskHeadSet implements TaskHeads {
  readonly taskNames: readonly string[];
  /** Width of the features every head reads. */
  readonly featureDim: number;
  readonly #heads: ReadonlyMap<string, ClassifierHead>;

  constructor(
    heads: ReadonlyMap<string, ClassifierHead>,
    /** The heads file they were read from, named when they do not fit the models. */
    readonly source?: string,
  ) {
    check(heads.size > 0, 'heads: no task has a head');
    const dims = new Set([...heads.values()].map((h) => h.inFeatures));
    check(
      dims.size === 1,
      () => `heads: the heads read features of different widths (${[...dims].join(', ')})`,
    );
    for (const head of heads.values()) head.requiresGrad(false);
    this.#heads = heads;
    this.taskNames = [...heads.keys()];
    this.featureDim = [...dims][0];
  }

  head(task: string): ClassifierHead {
    const head = this.#heads.get(task);
    check(head, () => `no head for task '${task}'; heads exist for ${listNames(this.taskNames)}`);
    return head;
  }

  numClasses(task: string): number {
    return this.head(task).outFeatures;
  }

  featureDimOf(task: string): number {
    return this.head(task).inFeatures;
  }

  dispose(): void {
    for (const head of this.#heads.values()) head.dispose();
  }
}

/** A linear head (`second` is the bias) or a cosine head (`second` is the logit scale). */
function headFrom(weight: tf.Tensor, second: tf.Tensor, kind: 'linear' | 'cosine'): ClassifierHead {
  const [classes, features] = weight.shape as [number, number];
  const head = kind === 'linear' ? new Linear(features, classes) : new CosineHead(features, classes);
  head.loadStateDict(
    new Map([
      ['weight', weight],
      [kind === 'linear' ? 'bias' : 'logit_scale', second],
    ]),
  );
  return head;
}

/**
 * Reads the heads of `classes`' tasks from a safetensors file holding, per task, `<task>.weight`
 * [classes, features] (PyTorch's Linear layout) and either `<task>.bias` [classes] (a linear
 * head) or `<task>.logit_scale` [] (a cosine head, see CosineHead). Heads of other tasks in the
 * file are ignored.
 */
export async function loadHeads(path: string, classes: ReadonlyMap<string, number>): Promise<TaskHeadSet> {
  check(
    existsSync(path),
    () =>
      `${path}: heads file not found; expected a safetensors file with <task>.weight and <task>.bias for each task`,
  );
  const file = await openSafetensors(path);
  const heads = new Map<string, ClassifierHead>();
  try {
    const present = [...new Set(file.keys().map((k) => k.replace(/\.(weight|bias|logit_scale)$/, '')))];
    for (const [task, count] of classes) {
      const keys = headKeys(task);
      const kind = file.has(keys.logitScale) ? 'cosine' : 'linear';
      const secondKey = kind === 'cosine' ? keys.logitScale : keys.bias;
      check(
        file.has(keys.weight) && file.has(secondKey),
        () =>
          `${path}: no head for task '${task}' (expected ${keys.weight} and ${keys.bias} or ${keys.logitScale}); it has heads for ${listNames(present)}`,
      );
      const [w, b] = [file.info(keys.weight).shape, file.info(secondKey).shape];
      const secondOk = kind === 'cosine' ? b.length === 0 : b.length === 1 && b[0] === count;
      check(
        w.length === 2 && w[0] === count && secondOk,
        () =>
          `${path}: head of task '${task}' has weight [${w}] and ${secondKey} [${b}]; the task has ${count} classes, so expected [${count}, features] and ${kind === 'cosine' ? '[]' : `[${count}]`}`,
      );
      const weight = await file.read(keys.weight);
      const second = await file.read(secondKey);
      try {
        heads.set(task, headFrom(weight, second, kind));
      } finally {
        tf.dispose([weight, second]);
      }
    }
    return new TaskHeadSet(heads, path);
  } catch (err) {
    for (const head of heads.values()) head.dispose();
    throw err;
  } finally {
    await file.close();
  }
}

/**
 * Writes heads (each a Module with exactly `weight` and `bias`, or `weight` and `logit_scale`)
 * as a heads file, atomically.
 */
export async function saveHeads(path: string, heads: TaskHeads): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  for (const task of heads.taskNames) {
    const state = heads.head(task).stateDict();
    const keys = [...state.keys()].sort().join(', ');
    if (keys !== 'bias, weight' && keys !== 'logit_scale, weight')
      throw new MergebenchError(
        `heads: the head of task '${task}' has ${keys}, expected bias, weight or logit_scale, weight`,
      );
    for (const [name, value] of state) tensors.set(`${task}.${name}`, value);
  }
  await writeSafetensors(path, tensors);
}

/**
 * Seeded random heads: weights N(0, 1/featureDim), zero biases, each task from its own seed.
 * Fixed random heads are what a zoo trained from scratch can freeze from the start, as CLIP's
 * zero-shot heads are frozen before fine-tuning.
 */
export function randomHeads(
  classes: ReadonlyMap<string, number>,
  featureDim: number,
  seed: number,
): TaskHeadSet {
  const heads = new Map<string, ClassifierHead>();
  for (const [task, count] of classes) {
    const rng = createRng(deriveSeed(seed, `head/${task}`));
    const w = Float32Array.from({ length: count * featureDim }, () => rng.normal() / Math.sqrt(featureDim));
    const weight = tf.tensor2d(w, [count, featureDim]);
    const bias = tf.zeros([count]);
    heads.set(task, headFrom(weight, bias, 'linear'));
    tf.dispose([weight, bias]);
  }
  return new TaskHeadSet(heads);
}
