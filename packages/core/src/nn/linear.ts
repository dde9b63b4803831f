import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { fusedLinear } from './functional/fused.js';
import { matMul } from './functional/matmul.js';
import { fanInUniform, offsetSeed } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  readonly bias?: boolean;
  /** Makes the initial values reproducible (the bias uses seed + 1); random when left out. */
  readonly seed?: number;
}

/** y = x·Wᵀ + b over the last axis of x, with the weight in PyTorch's [out, in] layout. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true, seed }: LinearOptions = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', fanInUniform([outFeatures, inFeatures], inFeatures, seed));
    this.bias = bias
      ? this.registerParameter('bias', fanInUniform([outFeatures], inFeatures, offsetSeed(seed, 1)))
      : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    check(
      x.rank >= 1 && x.shape[x.rank - 1] === this.inFeatures,
      () => `Linear: expected input [..., ${this.inFeatures}], got [${x.shape}]`,
    );
    return linear(x, this.param('weight'), this.bias === null ? null : this.param('bias'));
  }
}

/**
 * x·weightᵀ + bias over the last axis of x, the weight [out, in] as in PyTorch. One pass fewer where
 * the backend fuses the bias into the product (backend-native).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const [outFeatures, inFeatures] = weight.shape;
  return tf.tidy(() => {
    const rows = tf.reshape(x, [-1, inFeatures]);
    const fused = bias === null ? undefined : fusedLinear(rows, weight, bias);
    const product = fused ?? matMul(rows, weight, false, true);
    const y = bias === null || fused !== undefined ? product : tf.add(product, bias);
    return tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
  });
}
