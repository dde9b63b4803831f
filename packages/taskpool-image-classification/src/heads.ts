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

/** The conventional name of a heads file. */
export const HEADS_FILE = 'heads.safetensors';

/** The keys of a task's head in a heads file. */
export function headKeys(task: string): { weight: string; bias: string } {
  return { weight: `${task}.weight`, bias: `${task}.bias` };
}

/** Frozen linear heads (features → logits), one per task. */
export class TaskHeadSet implements TaskHeads {
  readonly taskNames: readonly string[];
  /** Width of the features every head reads. */
  readonly featureDim: number;
  readonly #heads: ReadonlyMap<string, Linear>;

  constructor(heads: ReadonlyMap<string, Linear>) {
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

  head(task: string): Linear {
    const head = this.#heads.get(task);
    check(head, () => `no head for task '${task}'; heads exist for ${listNames(this.taskNames)}`);
    return head;
  }

  numClasses(task: string): number {
    return this.head(task).outFeatures;
  }

  dispose(): void {
    for (const head of this.#heads.values()) head.dispose();
  }
}

function linearFrom(weight: tf.Tensor, bias: tf.Tensor): Linear {
  const [classes, features] = weight.shape as [number, number];
  const head = new Linear(features, classes);
  head.loadStateDict(
    new Map([
      ['weight', weight],
      ['bias', bias],
    ]),
  );
  return head;
}

/**
 * Reads the heads of `classes`' tasks from a safetensors file holding, per task, `<task>.weight`
 * [classes, features] (PyTorch's Linear layout) and `<task>.bias` [classes]. Heads of other
 * tasks in the file are ignored.
 */
export async function loadHeads(path: string, classes: ReadonlyMap<string, number>): Promise<TaskHeadSet> {
  check(
    existsSync(path),
    () =>
      `${path}: heads file not found; expected a safetensors file with <task>.weight and <task>.bias for each task`,
  );
  const file = await openSafetensors(path);
  const heads = new Map<string, Linear>();
  try {
    const present = [...new Set(file.keys().map((k) => k.replace(/\.(weight|bias)$/, '')))];
    for (const [task, count] of classes) {
      const keys = headKeys(task);
      check(
        file.has(keys.weight) && file.has(keys.bias),
        () =>
          `${path}: no head for task '${task}' (expected ${keys.weight} and ${keys.bias}); it has heads for ${listNames(present)}`,
      );
      const [w, b] = [file.info(keys.weight).shape, file.info(keys.bias).shape];
      check(
        w.length === 2 && w[0] === count && b.length === 1 && b[0] === count,
        () =>
          `${path}: head of task '${task}' has weight [${w}] and bias [${b}]; the task has ${count} classes, so expected [${count}, features] and [${count}]`,
      );
      const weight = await file.read(keys.weight);
      const bias = await file.read(keys.bias);
      try {
        heads.set(task, linearFrom(weight, bias));
      } finally {
        tf.dispose([weight, bias]);
      }
    }
    return new TaskHeadSet(heads);
  } catch (err) {
    for (const head of heads.values()) head.dispose();
    throw err;
  } finally {
    await file.close();
  }
}

/** Writes heads (each a Module with exactly `weight` and `bias`) as a heads file, atomically. */
export async function saveHeads(path: string, heads: TaskHeads): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  for (const task of heads.taskNames) {
    const state = heads.head(task).stateDict();
    const keys = [...state.keys()].sort().join(', ');
    if (keys !== 'bias, weight')
      throw new MergebenchError(`heads: the head of task '${task}' has ${keys}, expected bias, weight`);
    tensors.set(headKeys(task).weight, state.get('weight')!);
    tensors.set(headKeys(task).bias, state.get('bias')!);
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
  const heads = new Map<string, Linear>();
  for (const [task, count] of classes) {
    const rng = createRng(deriveSeed(seed, `head/${task}`));
    const w = Float32Array.from({ length: count * featureDim }, () => rng.normal() / Math.sqrt(featureDim));
    const weight = tf.tensor2d(w, [count, featureDim]);
    const bias = tf.zeros([count]);
    heads.set(task, linearFrom(weight, bias));
    tf.dispose([weight, bias]);
  }
  return new TaskHeadSet(heads);
}
