import * as tf from '@tensorflow/tfjs';
import type { StackProvider } from './stack-provider.js';

/**
 * y[b] = x[b]·(Σₑ c[b,e]·Sₑ) for every sample b of x [B, N, in], with per-sample coefficients
 * c [B, E] over the E = T+1 blocks Sₑ [in, out] of the stack, without building any per-sample
 * weight: the inputs are scaled instead, x̃[b,n,(e,k)] = c[b,e]·x[b,n,k], and one plain product
 * x̃ [B·N, E·in] · S [E·in, out] gives every sample's output.
 *
 * The gradient flows to x and c only (the stack is frozen). It never transposes the stack, which
 * costs the wasm backend as much as half a product: g = S · dyᵀ [E·in, B·N] is a plain product,
 * and dx and dc are elementwise reductions of g.
 */
export function perSampleStackedProduct(x: tf.Tensor, c: tf.Tensor, stack: StackProvider): tf.Tensor {
  const [batch, tokens, inFeatures] = x.shape as [number, number, number];
  const experts = c.shape[1]!;
  const rows = batch * tokens;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, cIn]);
    const blocks = tf.reshape(stack(), [experts * inFeatures, -1]);
    const outFeatures = blocks.shape[1]!;
    const scaled = tf.mul(
      tf.reshape(xIn, [batch, tokens, 1, inFeatures]),
      tf.reshape(cIn, [batch, 1, experts, 1]),
    );
    const y = tf.matMul(tf.reshape(scaled, [rows, experts * inFeatures]), blocks);
    return {
      value: tf.reshape(y, [batch, tokens, outFeatures]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, cs] = saved;
          const dyT = tf.transpose(tf.reshape(dy, [rows, outFeatures]));
          const blocksAgain = tf.reshape(stack(), [experts * inFeatures, outFeatures]);
          const g = tf.reshape(tf.matMul(blocksAgain, dyT), [experts, inFeatures, batch, tokens]);
          const xT = tf.transpose(xs, [2, 0, 1]);
          const dxT = tf.sum(tf.mul(g, tf.reshape(tf.transpose(cs), [experts, 1, batch, 1])), 0);
          const dcT = tf.sum(tf.mul(g, tf.reshape(xT, [1, inFeatures, batch, tokens])), [1, 3]);
          return [tf.transpose(dxT, [1, 2, 0]), tf.transpose(dcT)];
        }),
    };
  });
  return op(x, c);
}
