import * as tf from '@tensorflow/tfjs';
import type { StackProvider } from './stack-provider.js';

/**
 * W = Σₑ c[e]·Sₑ [in, out] for one coefficient vector c [E] shared by a whole batch, as one
 * product c [1, E] · S [E, in·out]. The gradient flows to c only: dc = S · vec(dW), a plain
 * matrix-vector product (the stack is never transposed).
 */
export function sharedStackedWeight(
  c: tf.Tensor,
  stack: StackProvider,
  inFeatures: number,
  outFeatures: number,
): tf.Tensor {
  const experts = c.shape[0]!;
  const size = inFeatures * outFeatures;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [cIn] = args as [tf.Tensor];
    const merged = tf.matMul(tf.reshape(cIn, [1, experts]), tf.reshape(stack(), [experts, size]));
    return {
      value: tf.reshape(merged, [inFeatures, outFeatures]),
      gradFunc: (dW: tf.Tensor) =>
        tf.tidy(() =>
          tf.reshape(tf.matMul(tf.reshape(stack(), [experts, size]), tf.reshape(dW, [size, 1])), [experts]),
        ),
    };
  });
  return op(c);
}
