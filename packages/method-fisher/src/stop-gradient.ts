import * as tf from '@tensorflow/tfjs';

/**
 * The identity whose gradient is zero (PyTorch's `detach()` inside a differentiated function):
 * tfjs has no such op, so a custom gradient stands in for it.
 */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));
