import {
  type Batch,
  type BatchOptions,
  check,
  createRng,
  listNames,
  permutation,
  type Split,
  type TaskData,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { PreparedSplit } from './prepare.js';

/** The channels of every batch: grayscale tasks are replicated, so one model takes all tasks. */
export const INPUT_CHANNELS = 3;

/** One image classification task, decoded. */
export interface ImageTask {
  readonly name: string;
  readonly classNames: readonly string[];
  readonly splits: Readonly<Record<Split, PreparedSplit>>;
}

/**
 * The decoded splits of every task, held in memory, served as batches of images
 * [B, 3, size, size] (channel-first, as PyTorch's pixel_values) with int32 labels.
 */
export class ImageTaskData implements TaskData {
  readonly taskNames: readonly string[];
  readonly #tasks: ReadonlyMap<string, ImageTask>;

  constructor(
    tasks: readonly ImageTask[],
    /** Side of every image. */
    readonly imageSize: number,
  ) {
    this.taskNames = tasks.map((t) => t.name);
    this.#tasks = new Map(tasks.map((t) => [t.name, t]));
  }

  task(name: string): ImageTask {
    const task = this.#tasks.get(name);
    check(task, () => `unknown task '${name}'; available: ${listNames(this.taskNames)}`);
    return task;
  }

  numClasses(task: string): number {
    return this.task(task).classNames.length;
  }

  size(task: string, split: Split): number {
    return this.task(task).splits[split].labels.length;
  }

  async *batches(task: string, split: Split, options: BatchOptions): AsyncIterable<Batch> {
    const { channels, size, pixels, labels } = this.task(task).splits[split];
    check(
      Number.isInteger(options.batchSize) && options.batchSize >= 1,
      () => `batches of task '${task}': batchSize ${options.batchSize} must be an integer ≥ 1`,
    );
    const area = size * size;
    const stored = channels * area;
    const perImage = INPUT_CHANNELS * area;
    const n = Math.min(labels.length, options.limit ?? labels.length);
    const order =
      options.shuffleSeed === undefined ? null : permutation(labels.length, createRng(options.shuffleSeed));
    for (let start = 0; start < n; start += options.batchSize) {
      const count = Math.min(options.batchSize, n - start);
      const x = new Float32Array(count * perImage);
      const y = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const src = order ? order[start + i] : start + i;
        const image = pixels.subarray(src * stored, (src + 1) * stored);
        if (channels === INPUT_CHANNELS) x.set(image, i * perImage);
        else for (let c = 0; c < INPUT_CHANNELS; c++) x.set(image, i * perImage + c * area);
        y[i] = labels[src];
      }
      const inputs = tf.tensor4d(x, [count, INPUT_CHANNELS, size, size]);
      yield options.unlabelled ? { inputs } : { inputs, labels: tf.tensor1d(y, 'int32') };
    }
  }
}
