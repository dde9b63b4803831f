import {
  type Batch,
  type BatchOptions,
  check,
  listNames,
  MergebenchError,
  type Split,
  type TaskData,
} from '@mergebench/core';
import type { SeededCorruption } from '@mergebench/image-corruptions';
import { preprocessInto } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { corruptRgb } from './corrupt-image.js';
import { decodeRgb, type RgbImage } from './decode-image.js';
import { readingPlan } from './example-order.js';
import { type EncodedExample, type SplitSource, sourceSize } from './split-source.js';

/** A split of a task: opened, or the error to raise when a method asks for it. */
export type TaskSplit = { readonly source: SplitSource } | { readonly error: MergebenchError };

/** One task's data: its splits and its number of classes. */
export interface ClipTask {
  readonly name: string;
  readonly numClasses: number;
  readonly splits: Readonly<Partial<Record<Split, TaskSplit>>>;
}

/**
 * The tasks' Hub data sets served as CLIP pixel values [B, 3, S, S] with int32 labels. Batches
 * are decoded and preprocessed as they are asked for, one block (row group) at a time; the next
 * batch's images decode on libuv's threads while the consumer runs the model on the current one.
 */
export class ClipTaskData implements TaskData {
  readonly taskNames: readonly string[];
  readonly #tasks: ReadonlyMap<string, ClipTask>;
  /** Splits whose labels were checked against the class count. */
  readonly #checked = new Set<string>();

  constructor(
    tasks: readonly ClipTask[],
    /** The side of CLIP's square input (the CLIP model's vision `image_size`). */
    readonly imageSize: number,
    /** Corrupts every test image before preprocessing; null: clean. */
    readonly corruption: SeededCorruption | null = null,
  ) {
    this.taskNames = tasks.map((t) => t.name);
    this.#tasks = new Map(tasks.map((t) => [t.name, t]));
  }

  task(name: string): ClipTask {
    const task = this.#tasks.get(name);
    check(task, () => `unknown task '${name}'; available: ${listNames(this.taskNames)}`);
    return task;
  }

  numClasses(task: string): number {
    return this.task(task).numClasses;
  }

  source(task: string, split: Split): SplitSource {
    const entry = this.task(task).splits[split];
    if (!entry) throw new MergebenchError(`task '${task}' has no ${split} split configured`);
    if ('error' in entry) throw entry.error;
    return entry.source;
  }

  size(task: string, split: Split): number {
    return sourceSize(this.source(task, split));
  }

  /** Reads every label of a split (no image data) and checks each is a class of the task. */
  async checkLabels(task: string, split: Split): Promise<void> {
    const key = `${task}/${split}`;
    if (this.#checked.has(key)) return;
    const { labels, where } = await this.source(task, split).labels();
    const classes = this.numClasses(task);
    const bad = labels.findIndex((label) => label < 0 || label >= classes);
    if (bad >= 0) {
      throw new MergebenchError(
        `${where(bad)}: label ${labels[bad]} of task '${task}' is not one of its ${classes} classes (0..${classes - 1})`,
      );
    }
    this.#checked.add(key);
  }

  async *batches(task: string, split: Split, options: BatchOptions): AsyncIterable<Batch> {
    check(
      Number.isInteger(options.batchSize) && options.batchSize >= 1,
      () => `batches of task '${task}': batchSize ${options.batchSize} must be an integer ≥ 1`,
    );
    await this.checkLabels(task, split);
    const groups = this.#exampleGroups(this.source(task, split), options)[Symbol.asyncIterator]();
    let next = await groups.next();
    let decoding = next.done ? undefined : decodeAll(next.value);
    while (!next.done && decoding) {
      const group = next.value;
      const decoded = await decoding;
      const corruption = split === 'test' ? this.corruption : null;
      const images = corruption
        ? decoded.map((image, i) => corruptRgb(image, group[i].bytes, corruption, task))
        : decoded;
      next = await groups.next();
      decoding = next.done ? undefined : decodeAll(next.value);
      // A consumer that stops early leaves the prefetch to finish on its own: it holds no tensors.
      decoding?.catch(() => {});
      yield this.#toBatch(group, images, options.unlabelled ?? false);
    }
  }

  /** Examples in serving order, grouped into batches, up to the limit. */
  async *#exampleGroups(source: SplitSource, options: BatchOptions): AsyncIterable<EncodedExample[]> {
    const limit = Math.min(sourceSize(source), options.limit ?? Number.POSITIVE_INFINITY);
    let served = 0;
    let pending: EncodedExample[] = [];
    for (const window of readingPlan(source.blockSizes, options.shuffleSeed)) {
      const examples: EncodedExample[] = [];
      for (const block of window.blocks) examples.push(...(await source.readBlock(block)));
      const ordered = window.order ? window.order.map((i) => examples[i]) : examples;
      for (const example of ordered) {
        if (served === limit) break;
        pending.push(example);
        served += 1;
        if (pending.length === options.batchSize) {
          yield pending;
          pending = [];
        }
      }
      if (served === limit) break;
    }
    if (pending.length > 0) yield pending;
  }

  #toBatch(group: readonly EncodedExample[], images: readonly RgbImage[], unlabelled: boolean): Batch {
    // One buffer for the whole batch, filled in place: no tensor per image, no stacking copy.
    const perImage = 3 * this.imageSize * this.imageSize;
    const pixels = new Float32Array(images.length * perImage);
    images.forEach((image, i) => {
      preprocessInto(image.data, image.width, image.height, { size: this.imageSize }, pixels, i * perImage);
    });
    const inputs = tf.tensor4d(pixels, [images.length, 3, this.imageSize, this.imageSize]);
    if (unlabelled) return { inputs };
    return {
      inputs,
      labels: tf.tensor1d(
        Int32Array.from(group, (e) => e.label),
        'int32',
      ),
    };
  }
}

function decodeAll(group: readonly EncodedExample[]): Promise<RgbImage[]> {
  return Promise.all(group.map((example) => decodeRgb(example.bytes, example.where)));
}
