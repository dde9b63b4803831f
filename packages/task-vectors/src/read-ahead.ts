import type { TensorSource } from '@mergebench/core';
import { readAll } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Reads keys from every source in a fixed order, one key ahead of the consumer, so that the
 * reading (file reads run off the main thread) overlaps with the merging of the key before.
 * At most two keys' tensors exist at a time: the one taken and the one being read.
 */
export class ReadAhead {
  private index = 0;
  private ahead: Promise<tf.Tensor[]> | undefined;

  constructor(
    private readonly sources: readonly TensorSource[],
    private readonly keys: readonly string[],
  ) {
    this.ahead = this.readNext();
  }

  private readNext(): Promise<tf.Tensor[]> | undefined {
    if (this.index >= this.keys.length) return undefined;
    const reading = readAll(this.sources, this.keys[this.index++]);
    // Its failure is reported by take(); until then it must not count as unhandled.
    reading.catch(() => {});
    return reading;
  }

  /** The next key's tensors, one per source (the caller disposes them); starts reading the one after. */
  take(): Promise<tf.Tensor[]> {
    const current = this.ahead;
    if (!current) throw new Error('ReadAhead.take: every key has been taken');
    this.ahead = this.readNext();
    return current;
  }

  /** Disposes what was read ahead and not taken (after a failure). */
  async dispose(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead) tf.dispose(await ahead.catch(() => []));
  }
}
