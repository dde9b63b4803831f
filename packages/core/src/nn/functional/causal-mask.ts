import * as tf from '@tensorflow/tfjs';

// The lowest float32, as Hugging Face uses (torch.finfo.min): finite, so no inf arithmetic, and
// exp() of it after softmax's max-subtraction is exactly 0.
const MASKED = -3.4028234663852886e38;

/**
 * The additive mask [1, 1, N, N] that stops each position attending to later ones: 0 where
 * key ≤ query, the lowest float32 elsewhere.
 */
export function causalAttentionMask(seqLen: number): tf.Tensor {
  return tf.tidy(() => {
    const positions = tf.range(0, seqLen, 1, 'int32');
    const future = tf.greater(tf.reshape(positions, [1, seqLen]), tf.reshape(positions, [seqLen, 1]));
    return tf.reshape(tf.where(future, tf.fill([seqLen, seqLen], MASKED), tf.zeros([seqLen, seqLen])), [
      1,
      1,
      seqLen,
      seqLen,
    ]);
  });
}
