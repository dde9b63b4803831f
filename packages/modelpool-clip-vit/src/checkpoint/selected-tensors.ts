import { MergebenchError, type TensorInfo, type TensorSource } from '@mergebench/core';
import type * as tf from '@tensorflow/tfjs';

/**
 * A TensorSource made of chosen keys of other sources, each key read from the source it maps to.
 * It owns the sources it is given and closes them all on close().
 */
export class SelectedTensors implements TensorSource {
  constructor(
    readonly origin: string,
    private readonly sourceOf: ReadonlyMap<string, TensorSource>,
    private readonly owned: readonly TensorSource[],
  ) {}

  keys(): string[] {
    return [...this.sourceOf.keys()];
  }

  #source(key: string): TensorSource {
    const source = this.sourceOf.get(key);
    if (source === undefined) throw new MergebenchError(`${this.origin}: no tensor '${key}'`);
    return source;
  }

  info(key: string): TensorInfo {
    return this.#source(key).info(key);
  }

  read(key: string): Promise<tf.Tensor> {
    return this.#source(key).read(key);
  }

  async close(): Promise<void> {
    await Promise.all(this.owned.map((source) => source.close()));
  }
}
