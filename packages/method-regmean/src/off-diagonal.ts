import * as tf from '@tensorflow/tfjs';

/**
 * G with every off-diagonal entry multiplied by α (reduce_non_diagonal_ratio) and the diagonal
 * kept: RegMean's interpolation between the Gram matrix (α = 1) and its diagonal (α = 0, which
 * makes the merge a per-input-feature weighted average).
 */
export function reduceOffDiagonal(g: tf.Tensor2D, ratio: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = g.shape[0];
    const diagonal = tf.cast(tf.eye(n), 'bool');
    return tf.mul(g, tf.where(diagonal, tf.onesLike(g), tf.fill([n, n], ratio))) as tf.Tensor2D;
  });
}
