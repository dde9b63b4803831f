import * as tf from '@tensorflow/tfjs';
import { MergebenchError } from '../errors.js';
import { fusedQuickGelu } from './functional/fused.js';

/** An elementwise activation function. */
export type Activation = (x: tf.Tensor) => tf.Tensor;

/** GELU in its exact form, x·Φ(x) = x/2·(1 + erf(x/√2)): torch's default. */
export const gelu: Activation = (x) =>
  tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));

/** GELU's tanh approximation, x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))). */
export const geluTanh: Activation = (x) =>
  tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });

/**
 * x·σ(1.702x): the GELU approximation the original CLIP models were trained with. One pass where
 * the backend has a fused kernel (backend-native), three kernels elsewhere.
 */
export const quickGelu: Activation = (x) =>
  fusedQuickGelu(x) ?? tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));

export const relu: Activation = (x) => tf.relu(x);

/** Activations by their names in Hugging Face configs (`hidden_act`). */
const BY_HF_NAME: ReadonlyMap<string, Activation> = new Map([
  ['gelu', gelu],
  ['quick_gelu', quickGelu],
  ['relu', relu],
  ['gelu_new', geluTanh],
  ['gelu_pytorch_tanh', geluTanh],
]);

/** The activation a Hugging Face config names, e.g. `quick_gelu`. */
export function activationByName(name: string): Activation {
  const activation = BY_HF_NAME.get(name);
  if (activation === undefined) {
    throw new MergebenchError(
      `unknown activation '${name}': expected one of ${[...BY_HF_NAME.keys()].join(', ')}`,
    );
  }
  return activation;
}
