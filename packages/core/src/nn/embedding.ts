import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { gatherRows } from './functional/gather-rows.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Makes the initial values reproducible; random when left out. */
  readonly seed?: number;
}

/** A lookup table: ids of any shape → their rows of `weight` [num, dim]. */
export class Embedding extends Module {
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    { seed }: EmbeddingOptions = {},
  ) {
    super();
    // PyTorch's default initialisation, N(0, 1).
    this.weight = this.registerParameter(
      'weight',
      tf.randomNormal([numEmbeddings, embeddingDim], 0, 1, 'float32', seed),
    );
  }

  /** ids: int32 of any shape → [...ids.shape, dim]. */
  forward(ids: tf.Tensor): tf.Tensor {
    check(ids.dtype === 'int32', () => `Embedding: expected int32 ids, got ${ids.dtype}`);
    return gatherRows(this.param('weight'), ids);
  }
}
