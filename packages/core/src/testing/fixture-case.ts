// Parity cases written by PyTorch scripts (see tools/reference/fisher_regmean_fixtures.py): a
// folder with case.json, ToyEncoder checkpoints in models/, the tasks' data in data.json and,
// when the method needs them, linear heads in heads.safetensors.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BatchOptions,
  disposeStateDict,
  float32Values,
  Linear,
  type ModelPool,
  type Module,
  openCheckpoint,
  readStateDict,
  type StateDict,
  type TaskData,
  type TaskHeads,
  type TensorSource,
} from '../index.js';
import { ToyEncoder, type ToyModelConfig } from '../toy/toy-model.js';

export interface FixtureCase<Result> {
  readonly name: string;
  readonly config: ToyModelConfig;
  readonly tasks: string[];
  readonly num_examples: number;
  readonly batch_size: number;
  readonly results: Result[];
}

/** Every tensor of a safetensors file. */
export async function readSafetensors(file: string): Promise<StateDict> {
  const source = await openCheckpoint(file);
  try {
    return await readStateDict(source);
  } finally {
    await source.close();
  }
}

/**
 * The largest |actual − expected| of each tensor relative to the tensor's largest |expected|.
 * The merges are float32 computations whose entries are sums that partly cancel (gradients,
 * Gram matrices, weighted averages), so rounding (~1e-7 of a tensor's scale in either
 * framework) is a larger fraction of the entries near 0; an entry-by-entry relative error would
 * measure that noise (up to ~2e-4 here) rather than agreement.
 */
export function relativeToScale(actual: StateDict, expected: StateDict): number {
  const keys = [...expected.keys()];
  if (actual.size !== keys.length || !keys.every((key) => actual.has(key))) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (const key of keys) {
    const b = float32Values(expected.get(key)!);
    const a = float32Values(actual.get(key)!);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    worst = Math.max(worst, scale === 0 ? (diff === 0 ? 0 : Number.POSITIVE_INFINITY) : diff / scale);
  }
  return worst;
}

/** A case's case.json: the model config, tasks, and the expected results the script computed. */
export function readCase<Result>(dir: string): FixtureCase<Result> {
  return JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as FixtureCase<Result>;
}

/** The fine-tuned ToyEncoders of a case (models/<task>.safetensors), named after their tasks. */
export class FixturePool implements ModelPool {
  readonly hasPretrained = false;

  constructor(
    private readonly dir: string,
    private readonly config: ToyModelConfig,
    readonly modelNames: readonly string[],
  ) {}

  openWeights(name: string): Promise<TensorSource> {
    return openCheckpoint(path.join(this.dir, 'models', `${name}.safetensors`));
  }

  async loadModel(name: string): Promise<Module> {
    const weights = await readSafetensors(path.join(this.dir, 'models', `${name}.safetensors`));
    const model = new ToyEncoder(this.config);
    model.loadStateDict(weights);
    disposeStateDict(weights);
    return model;
  }

  async saveModel(): Promise<void> {
    throw new Error('not needed by the tests');
  }
}

interface EncodedTask {
  readonly inputs: number[];
  readonly labels: number[];
}

/**
 * The training data of a case (in stored order, whatever the seed) and, where the case has
 * heads.safetensors, its heads.
 */
export class FixtureWorld implements TaskData, TaskHeads {
  readonly taskNames: string[];
  readonly #tasks: Record<string, EncodedTask>;
  readonly #config: ToyModelConfig;
  readonly #classes: number;
  readonly #heads = new Map<string, Linear>();

  /** The data only; `FixtureWorld.read` also loads the heads. */
  constructor(dir: string) {
    const data = JSON.parse(readFileSync(path.join(dir, 'data.json'), 'utf8')) as {
      config: ToyModelConfig;
      classes: number;
      tasks: Record<string, EncodedTask>;
    };
    this.#tasks = data.tasks;
    this.#config = data.config;
    this.#classes = data.classes;
    this.taskNames = Object.keys(data.tasks);
  }

  static async read(dir: string): Promise<FixtureWorld> {
    const world = new FixtureWorld(dir);
    const file = path.join(dir, 'heads.safetensors');
    if (!existsSync(file)) return world;
    const weights = await readSafetensors(file);
    for (const task of world.taskNames) {
      const head = new Linear(world.#config.hidden, world.#classes);
      head.loadStateDict(
        new Map([
          ['weight', weights.get(`${task}.weight`)!],
          ['bias', weights.get(`${task}.bias`)!],
        ]),
      );
      world.#heads.set(task, head.requiresGrad(false));
    }
    disposeStateDict(weights);
    return world;
  }

  size(task: string): number {
    return this.#tasks[task].labels.length;
  }

  async *batches(task: string, _split: string, options: BatchOptions): AsyncIterable<Batch> {
    const { inputs, labels } = this.#tasks[task];
    const { tokens, inputDim } = this.#config;
    const per = tokens * inputDim;
    const n = Math.min(labels.length, options.limit ?? labels.length);
    for (let start = 0; start < n; start += options.batchSize) {
      const end = Math.min(n, start + options.batchSize);
      const x = tf.tensor3d(inputs.slice(start * per, end * per), [end - start, tokens, inputDim]);
      yield options.unlabelled
        ? { inputs: x }
        : { inputs: x, labels: tf.tensor1d(labels.slice(start, end), 'int32') };
    }
  }

  head(task: string): Module {
    const head = this.#heads.get(task);
    if (!head) throw new Error(`fixture case: no head for task '${task}'`);
    return head;
  }

  numClasses(): number {
    return this.#classes;
  }

  dispose(): void {
    for (const head of this.#heads.values()) head.dispose();
  }
}
