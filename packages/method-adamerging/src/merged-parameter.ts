import * as tf from '@tensorflow/tfjs';

/**
 * θ₀ + Σᵢ λᵢ τᵢ for one parameter, differentiable w.r.t. λ only: `lambdas` [T] weighs the rows of
 * the task vector stack [T, size] that `taskVectors()` makes afresh.
 *
 * One custom-gradient op rather than T scaled adds, so that the stack lives only inside each
 * pass instead of on the tape until the backward pass ends, and no gradient is computed for the
 * task vectors, which nobody needs. Forward, the sum is a [1, T]·[T, size] product; backward,
 * dλᵢ = Σ τᵢ ⊙ dy is a product and a row sum, not a matMul with dy as its right operand: the wasm
 * backend keeps a packed copy of a matMul's right operand for as long as that tensor lives, and
 * the backward pass keeps every dy until it ends (a whole model's worth of copies).
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
      gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(taskVectors(), tf.reshape(dy, [1, -1])), 1)),
    };
  });
  return op(lambdas);
}
