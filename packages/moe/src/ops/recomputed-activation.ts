import type { Activation } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_DERIVATIVES } from './activation-derivatives.js';

/**
 * `activation` as one op that keeps only its input for the backward pass, where its derivative is
 * computed afresh. An activation built from several elementwise ops otherwise keeps every
 * intermediate (quick_gelu: 7 tensors of the MLP's hidden size), and on the wasm backend each
 * kept tensor is a copy: for an upscaled ViT-B/32 that is much of the memory of a step.
 * Activations without a known derivative are returned as they are.
 */
export function recomputedActivation(activation: Activation): Activation {
  const derivative = ACTIVATION_DERIVATIVES.get(activation);
  if (derivative === undefined) return activation;
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: activation(x),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.tidy(() => tf.mul(dy, derivative(saved))),
    };
  }) as Activation;
}
