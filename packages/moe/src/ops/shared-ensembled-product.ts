import * as tf from '@tensorflow/tfjs';
import type { BlocksProvider } from './blocks-provider.js';

/**
 * y = x·Wᵀ + b with W = Σₑ c[e]·Wₑ and b = Σₑ c[e]·bₑ for one coefficient vector c [E] shared
 * by the whole batch x [B, N, in]: the weights are merged once from the blocks Wₑ [out, in] and
 * the biases [E, out], then one plain product. The gradient flows to x and c only, and only x
 * and c are kept for it; the backward pass merges W again rather than keep it.
 */
export function sharedEnsembledProduct(
  x: tf.Tensor,
  c: tf.Tensor,
  blocks: BlocksProvider,
  biases: tf.Tensor,
): tf.Tensor {
  const [batch, tokens, inFeatures] = x.shape as [number, number, number];
  const [experts, outFeatures] = biases.shape as [number, number];
  const rows = batch * tokens;
  const merged = (parts: tf.Tensor[], cIn: tf.Tensor) => {
    const weights = tf.unstack(cIn);
    return tf.addN(parts.map((block, e) => tf.mul(block, weights[e])));
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, cIn]);
    const y = tf.matMul(tf.reshape(xIn, [rows, inFeatures]), tf.transpose(merged(blocks(), cIn)));
    const bias = tf.matMul(tf.reshape(cIn, [1, experts]), biases);
    return {
      value: tf.reshape(tf.add(y, bias), [batch, tokens, outFeatures]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, cs] = saved;
          const dy2 = tf.reshape(dy, [rows, outFeatures]);
          const parts = blocks();
          const dx = tf.reshape(tf.matMul(dy2, merged(parts, cs)), [batch, tokens, inFeatures]);
          const dW = tf.matMul(tf.transpose(dy2), tf.reshape(xs, [rows, inFeatures]));
          const dcWeights = tf.stack(parts.map((block) => tf.sum(tf.mul(block, dW))));
          const dcBiases = tf.reshape(tf.matMul(tf.sum(dy2, 0, true), tf.transpose(biases)), [experts]);
          return [dx, tf.add(dcWeights, dcBiases)];
        }),
    };
  });
  return op(x, c);
}
