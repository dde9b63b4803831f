import * as tf from '@tensorflow/tfjs';

/**
 * θ₀ + Σᵢ λᵢ τᵢ for one parameter, differentiable w.r.t. λ only: `lambdas` [T] weighs the rows of
 * the task vector stack [T, size] that `taskVectors()` makes afresh.
 *
 * Written as one custom-gradient op rather than T scaled adds so that (1) the stack is a plain
 * [1, T]·[T, size] product forward and [T, size]·[size, 1] backward, with no transpose flags
 * (slow on wasm) and no gradient w.r.t. the task vectors, which nobody needs; and (2) the stack
 * lives only inside each pass instead of on the tape until the backward pass ends.
 */
export function mergedParameter(
  theta0: tf.Tensor,
  lambdas: tf.Tensor1D,
  taskVectors: () => tf.Tensor2D,
): tf.Tensor {
  const tasks = lambdas.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const weights = args[0] as tf.Tensor1D;
    return {
      value: tf.tidy(() => {
        const sum = tf.matMul(tf.reshape(weights, [1, tasks]), taskVectors());
        return tf.add(theta0, tf.reshape(sum, theta0.shape));
      }),
      // Runs in the backward pass's scope: tidy so the stack is freed before the next parameter's.
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => tf.reshape(tf.matMul(taskVectors(), tf.reshape(dy, [-1, 1])), [tasks])),
    };
  });
  return op(lambdas);
}
