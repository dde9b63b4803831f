import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchOptions, Split, TaskData, TaskHeads } from '../contracts/task-pool.js';
import { check, listNames } from '../errors.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { createRng, deriveSeed, permutation } from '../random.js';
import { DEFAULT_TOY_MODEL, type ToyModelConfig } from './toy-model.js';

/**
 * A synthetic multi-task world shared by the toy model pool and the toy task pool: each task
 * labels random token sequences by a task-specific linear rule on their mean token, and has a
 * fixed random head on the encoder's features. Tasks pull a shared encoder in different
 * directions, which is what makes merging them non-trivial.
 */
export interface ToyWorldConfig {
  readonly tasks: number;
  readonly classes: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly seed: number;
  readonly model: ToyModelConfig;
}

export const DEFAULT_TOY_WORLD: ToyWorldConfig = {
  tasks: 3,
  classes: 4,
  trainSize: 512,
  testSize: 256,
  seed: 0,
  model: DEFAULT_TOY_MODEL,
};

interface ToySplit {
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
}

export class ToyWorld implements TaskData, TaskHeads {
  readonly taskNames: readonly string[];
  private readonly splits = new Map<string, { train: ToySplit; test: ToySplit }>();
  private readonly heads = new Map<string, Linear>();

  constructor(readonly config: ToyWorldConfig = DEFAULT_TOY_WORLD) {
    this.taskNames = Array.from({ length: config.tasks }, (_, i) => `toy${i}`);
    const { inputDim, hidden } = config.model;
    for (const task of this.taskNames) {
      const rng = createRng(deriveSeed(config.seed, task));
      const rule = Float32Array.from({ length: inputDim * config.classes }, () => rng.normal());
      const make = (n: number): ToySplit => {
        const { tokens } = config.model;
        const inputs = Float32Array.from({ length: n * tokens * inputDim }, () => rng.normal());
        const labels = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          let best = 0;
          let bestScore = Number.NEGATIVE_INFINITY;
          for (let c = 0; c < config.classes; c++) {
            let s = 0;
            for (let t = 0; t < tokens; t++) {
              for (let d = 0; d < inputDim; d++)
                s += inputs[(i * tokens + t) * inputDim + d] * rule[d * config.classes + c];
            }
            if (s > bestScore) [best, bestScore] = [c, s];
          }
          labels[i] = best;
        }
        return { inputs, labels };
      };
      this.splits.set(task, { train: make(config.trainSize), test: make(config.testSize) });
      const head = new Linear(hidden, config.classes);
      const w = Float32Array.from(
        { length: hidden * config.classes },
        () => rng.normal() / Math.sqrt(hidden),
      );
      const weights = new Map([
        ['weight', tf.tensor2d(w, [config.classes, hidden])],
        ['bias', tf.zeros([config.classes])],
      ]);
      head.loadStateDict(weights);
      tf.dispose([...weights.values()]);
      head.requiresGrad(false);
      this.heads.set(task, head);
    }
  }

  private split(task: string, split: Split): ToySplit {
    const s = this.splits.get(task);
    check(s, () => `unknown task '${task}'; available: ${listNames(this.taskNames)}`);
    // The toy world has no separate validation data; it reuses the training split.
    return split === 'test' ? s.test : s.train;
  }

  size(task: string, split: Split): number {
    return this.split(task, split).labels.length;
  }

  async *batches(task: string, split: Split, options: BatchOptions): AsyncIterable<Batch> {
    const { inputs, labels } = this.split(task, split);
    const { tokens, inputDim } = this.config.model;
    const per = tokens * inputDim;
    const n = Math.min(labels.length, options.limit ?? labels.length);
    const order =
      options.shuffleSeed === undefined ? null : permutation(labels.length, createRng(options.shuffleSeed));
    for (let start = 0; start < n; start += options.batchSize) {
      const size = Math.min(options.batchSize, n - start);
      const x = new Float32Array(size * per);
      const y = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        const src = order ? order[start + i] : start + i;
        x.set(inputs.subarray(src * per, (src + 1) * per), i * per);
        y[i] = labels[src];
      }
      const batchInputs = tf.tensor3d(x, [size, tokens, inputDim]);
      yield options.unlabelled
        ? { inputs: batchInputs }
        : { inputs: batchInputs, labels: tf.tensor1d(y, 'int32') };
    }
  }

  head(task: string): Module {
    const h = this.heads.get(task);
    check(h, () => `unknown task '${task}'; available: ${listNames(this.taskNames)}`);
    return h;
  }

  numClasses(): number {
    return this.config.classes;
  }

  featureDimOf(): number {
    return this.config.model.hidden;
  }

  dispose(): void {
    for (const h of this.heads.values()) h.dispose();
  }
}
