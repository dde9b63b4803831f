// The PyTorch fixture of tools/reference/adamerging_fixtures.py, as a model pool and task
// services (the `.test.` in the name keeps it out of the published files).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Batch,
  type BatchOptions,
  createRng,
  Linear,
  type Module,
  openCheckpoint,
  PRETRAINED,
  permutation,
  readStateDict,
  type StateDict,
  type TaskData,
  type TaskHeads,
} from '@mergebench/core';
import { DEFAULT_TOY_MODEL, ToyModelPool, toyWorld } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/toy/', import.meta.url));

type Rows = number[][];

export interface GradientCase {
  readonly lambda: Rows;
  readonly loss: number;
  readonly task_losses: number[];
  readonly grad: Rows;
}

export interface AdamCase {
  /** λ after each step, [step][task][group]. */
  readonly lambdas: Rows[];
  readonly losses: number[];
}

export interface FixtureCase {
  readonly config: typeof DEFAULT_TOY_MODEL;
  readonly tasks: string[];
  readonly classes: number[];
  readonly parameter_names: string[];
  readonly gradients: Record<'task-wise' | 'layer-wise', GradientCase>;
  readonly adam: { lr: number; init_lambda: number; steps: number } & Record<
    'task-wise' | 'layer-wise',
    AdamCase
  >;
}

export const fixtureCase: FixtureCase = JSON.parse(readFileSync(join(FIXTURE_DIR, 'case.json'), 'utf8'));

async function readFile(path: string): Promise<StateDict> {
  const source = await openCheckpoint(path);
  try {
    return await readStateDict(source);
  } finally {
    await source.close();
  }
}

/** The fixture's models as a toy model pool (the fixture has the toy encoder's default sizes). */
export async function fixturePool(): Promise<ToyModelPool> {
  if (JSON.stringify(fixtureCase.config) !== JSON.stringify(DEFAULT_TOY_MODEL)) {
    throw new Error('the fixture was made for another toy encoder size; regenerate it');
  }
  const zoo = new Map<string, StateDict>();
  for (const name of [PRETRAINED, ...fixtureCase.tasks]) {
    zoo.set(name, await readFile(join(FIXTURE_DIR, 'models', `${name}.safetensors`)));
  }
  return new ToyModelPool(toyWorld({ tasks: fixtureCase.tasks.length }), zoo);
}

/** The fixture's unlabelled inputs and heads, as a task pool would provide them. */
export class FixtureTasks implements TaskData, TaskHeads {
  readonly taskNames = fixtureCase.tasks;

  private constructor(
    readonly inputs: StateDict,
    private readonly heads: Map<string, Linear>,
  ) {}

  static async load(): Promise<FixtureTasks> {
    const heads = new Map<string, Linear>();
    for (const [t, task] of fixtureCase.tasks.entries()) {
      const head = new Linear(fixtureCase.config.hidden, fixtureCase.classes[t]);
      const weights = await readFile(join(FIXTURE_DIR, 'heads', `${task}.safetensors`));
      head.loadStateDict(weights);
      tf.dispose([...weights.values()]);
      heads.set(task, head.requiresGrad(false));
    }
    return new FixtureTasks(await readFile(join(FIXTURE_DIR, 'inputs.safetensors')), heads);
  }

  size(task: string): number {
    return this.inputs.get(task)!.shape[0];
  }

  async *batches(task: string, _split: string, options: BatchOptions): AsyncIterable<Batch> {
    const all = this.inputs.get(task)!;
    const n = all.shape[0];
    const order = options.shuffleSeed === undefined ? null : permutation(n, createRng(options.shuffleSeed));
    for (let start = 0; start < n; start += options.batchSize) {
      const rows = Array.from({ length: Math.min(options.batchSize, n - start) }, (_, i) =>
        order ? order[start + i] : start + i,
      );
      yield { inputs: tf.tidy(() => tf.gather(all, tf.tensor1d(rows, 'int32'))) };
    }
  }

  head(task: string): Module {
    return this.heads.get(task)!;
  }

  numClasses(task: string): number {
    return fixtureCase.classes[fixtureCase.tasks.indexOf(task)];
  }

  dispose(): void {
    tf.dispose([...this.inputs.values()]);
    for (const head of this.heads.values()) head.dispose();
  }
}
