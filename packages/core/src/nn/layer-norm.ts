import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { fusedLayerNorm } from './functional/fused.js';
import { Module } from './module.js';

export interface LayerNormOptions {
  readonly eps?: number;
}

/** Normalises the last axis to zero mean and unit (biased) variance, then scales and shifts, as torch does. */
export class LayerNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly eps: number;

  constructor(
    readonly dim: number,
    { eps = 1e-5 }: LayerNormOptions = {},
  ) {
    super();
    this.eps = eps;
    this.weight = this.registerParameter('weight', tf.ones([dim]));
    this.bias = this.registerParameter('bias', tf.zeros([dim]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    check(
      x.rank >= 1 && x.shape[x.rank - 1] === this.dim,
      () => `LayerNorm: expected input [..., ${this.dim}], got [${x.shape}]`,
    );
    return layerNorm(x, this.param('weight'), this.param('bias'), this.eps);
  }
}

/**
 * (x − mean)/√(var + eps)·weight + bias over the last axis, the variance biased, as torch's
 * layer_norm. One pass where the backend has a fused kernel (backend-native); nine kernels elsewhere.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor {
  const fused = fusedLayerNorm(x, weight, bias, eps);
  if (fused !== undefined) return fused;
  return tf.tidy(() => {
    const centered = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centered), -1, true);
    const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalized, weight), bias);
  });
}
