import * as tf from '@tensorflow/tfjs';

/**
 * The alternative to perSampleEnsembledProduct that the benchmark compares it with: assemble each
 * sample's weights Wᵦ = Σₑ c[b,e]·Sₑ [B, in, out] with one product, then one batched product
 * x [B, N, in] · Wᵦ. Its gradient w.r.t. x and c transposes the per-sample weights and their
 * gradient, as a batched product needs.
 */
export function assembledProduct(x: tf.Tensor, c: tf.Tensor, stack: tf.Tensor): tf.Tensor {
  const [batch, , inFeatures] = x.shape as [number, number, number];
  const [experts, , outFeatures] = stack.shape as [number, number, number];
  const size = inFeatures * outFeatures;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const weights = tf.reshape(tf.matMul(cIn, tf.reshape(stack, [experts, size])), [
      batch,
      inFeatures,
      outFeatures,
    ]);
    save([xIn, weights]);
    return {
      value: tf.matMul(xIn, weights),
      gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) =>
        tf.tidy(() => {
          const dx = tf.matMul(dy, tf.transpose(ws, [0, 2, 1]));
          const dW = tf.reshape(tf.matMul(tf.transpose(xs, [0, 2, 1]), dy), [batch, size]);
          const dc = tf.transpose(tf.matMul(tf.reshape(stack, [experts, size]), tf.transpose(dW)));
          return [dx, dc];
        }),
    };
  });
  return op(x, c);
}
