import { type Activation, gelu, geluTanh, quickGelu, relu } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** dy/dx of an activation at x, elementwise. */
export type Derivative = (x: tf.Tensor) => tf.Tensor;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU: Φ(x) + x·φ(x). */
const geluDerivative: Derivative = (x) =>
  tf.tidy(() => {
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x))));
    return tf.add(cdf, tf.mul(x, pdf));
  });

/** x·σ(1.702x): s + 1.702·x·s·(1 − s). */
const quickGeluDerivative: Derivative = (x) =>
  tf.tidy(() => {
    const s = tf.sigmoid(tf.mul(x, 1.702));
    return tf.add(s, tf.mul(tf.mul(1.702, x), tf.mul(s, tf.sub(1, s))));
  });

/** GELU's tanh form: ½(1 + t) + ½x·(1 − t²)·√(2/π)·(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³)). */
const geluTanhDerivative: Derivative = (x) =>
  tf.tidy(() => {
    const t = tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))));
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(1, tf.mul(3 * 0.044715, tf.square(x))));
    return tf.add(tf.mul(0.5, tf.add(1, t)), tf.mul(tf.mul(tf.mul(0.5, x), tf.sub(1, tf.square(t))), inner));
  });

/** ReLU: 1 where x > 0, else 0 (torch's choice at 0). */
const reluDerivative: Derivative = (x) => tf.tidy(() => tf.cast(tf.greater(x, 0), 'float32'));

/** The derivatives of core's activations, by function. */
export const ACTIVATION_DERIVATIVES: ReadonlyMap<Activation, Derivative> = new Map([
  [gelu, geluDerivative],
  [quickGelu, quickGeluDerivative],
  [geluTanh, geluTanhDerivative],
  [relu, reluDerivative],
]);
