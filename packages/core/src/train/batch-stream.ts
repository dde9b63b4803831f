import * as tf from '@tensorflow/tfjs';
import type { Batch, Split, TaskData } from '../contracts/task-pool.js';
import { check, MergebenchError } from '../errors.js';
import { deriveSeed } from '../random.js';

export interface BatchStreamOptions {
  readonly split: Split;
  readonly batchSize: number;
  /** The run's seed; each epoch's shuffle seed derives from it, the task, the split and the epoch. */
  readonly seed: number;
  /** Leave labels out (test-time adaptation must not see them). Default false. */
  readonly unlabelled?: boolean;
  /**
   * Start as if this many batches had already been taken: a resumed run continues the same
   * sequence of batches. Default 0.
   */
  readonly startBatch?: number;
}

/** The shuffle seed of one epoch of one task and split. */
export function epochShuffleSeed(seed: number, task: string, split: Split, epoch: number): number {
  return deriveSeed(seed, `batches/${task}/${split}/epoch${epoch}`);
}

/**
 * Endless batches of one task and split: every epoch is the whole split in a fresh order, so that
 * a loop can take "one batch per task per step" for any number of steps. The last batch of an
 * epoch may be smaller. The consumer disposes each batch's tensors.
 */
export class BatchStream {
  readonly #data: TaskData;
  readonly #task: string;
  readonly #options: BatchStreamOptions;
  readonly #batchesPerEpoch: number;
  #epoch: number;
  #toSkip: number;
  #iterator: AsyncIterator<Batch> | undefined;
  #takenThisEpoch = 0;

  constructor(data: TaskData, task: string, options: BatchStreamOptions) {
    const { batchSize, split, startBatch = 0 } = options;
    check(
      Number.isInteger(batchSize) && batchSize >= 1,
      () => `batches of task '${task}': batchSize ${batchSize} must be an integer ≥ 1`,
    );
    check(
      Number.isInteger(startBatch) && startBatch >= 0,
      () => `batches of task '${task}': startBatch ${startBatch} must be an integer ≥ 0`,
    );
    const size = data.size(task, split);
    check(size > 0, () => `task '${task}' has no examples in its '${split}' split`);
    this.#data = data;
    this.#task = task;
    this.#options = options;
    this.#batchesPerEpoch = Math.ceil(size / batchSize);
    this.#epoch = Math.floor(startBatch / this.#batchesPerEpoch);
    this.#toSkip = startBatch % this.#batchesPerEpoch;
  }

  async next(): Promise<Batch> {
    for (;;) {
      const batch = await this.#nextOfEpoch();
      if (this.#toSkip === 0) return batch;
      this.#toSkip -= 1;
      tf.dispose([batch.inputs, ...(batch.labels ? [batch.labels] : [])]);
    }
  }

  async #nextOfEpoch(): Promise<Batch> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.#iterator) {
        const { split, batchSize, seed, unlabelled = false } = this.#options;
        const shuffleSeed = epochShuffleSeed(seed, this.#task, split, this.#epoch);
        const batches = this.#data.batches(this.#task, split, { batchSize, shuffleSeed, unlabelled });
        this.#iterator = batches[Symbol.asyncIterator]();
        this.#takenThisEpoch = 0;
      }
      const result = await this.#iterator.next();
      if (!result.done) {
        this.#takenThisEpoch += 1;
        return result.value;
      }
      this.#iterator = undefined;
      this.#epoch += 1;
      if (this.#takenThisEpoch === 0) break;
    }
    throw new MergebenchError(
      `task '${this.#task}': its '${this.#options.split}' split produced no batches, though it reports ` +
        `${this.#data.size(this.#task, this.#options.split)} examples`,
    );
  }

  /** Ends the current epoch's iterator, releasing what the data source holds for it. */
  async close(): Promise<void> {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    await iterator?.return?.();
  }
}
