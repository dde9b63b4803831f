import * as tf from '@tensorflow/tfjs';
import { stackBlocks } from './stack-blocks.js';
import type { StackProvider } from './stack-provider.js';

/**
 * y[b] = x[b]·(Σₑ c[b,e]·Wₑ)ᵀ + Σₑ c[b,e]·bₑ for every sample b of x [B, N, in], with per-sample
 * coefficients c [B, E] over the blocks Wₑ [out, in] of the stack and the biases bₑ [E, out],
 * without building any per-sample weight: yᵀ = Σₑ (Wₑ · xᵀ) ⊙ cₑ, one plain product per block
 * for the whole batch, each column (token) scaled by its sample's coefficient.
 *
 * The gradient flows to x and c only (the stack and biases are frozen), and only x and c are kept
 * for it: gₑ = dy · Wₑ gives dx = Σₑ cₑ ⊙ gₑ and dc[b,e] = Σ over b's tokens of gₑ · x. Every
 * intermediate is of the size of x or y, one block at a time.
 */
export function perSampleStackedProduct(
  x: tf.Tensor,
  c: tf.Tensor,
  stack: StackProvider,
  biases: tf.Tensor,
): tf.Tensor {
  const [batch, tokens, inFeatures] = x.shape as [number, number, number];
  const [experts, outFeatures] = biases.shape as [number, number];
  const rows = batch * tokens;
  /** c repeated for every token of its sample: [E, B·N]. */
  const perToken = (cIn: tf.Tensor) =>
    tf.reshape(tf.tile(tf.reshape(tf.transpose(cIn), [experts, batch, 1]), [1, 1, tokens]), [experts, rows]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, cIn]);
    const xT = tf.transpose(tf.reshape(xIn, [rows, inFeatures]));
    const scales = tf.unstack(perToken(cIn));
    const yT = tf.addN(
      stackBlocks(stack()).map((block, e) => tf.mul(tf.matMul(block, xT), tf.reshape(scales[e], [1, rows]))),
    );
    const y = tf.reshape(tf.transpose(yT), [batch, tokens, outFeatures]);
    return {
      value: tf.add(y, tf.expandDims(tf.matMul(cIn, biases), 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, cs] = saved;
          const dy2 = tf.reshape(dy, [rows, outFeatures]);
          const x2 = tf.reshape(xs, [rows, inFeatures]);
          const tokenScales = tf.unstack(perToken(cs));
          const dxParts: tf.Tensor[] = [];
          const dcParts: tf.Tensor[] = [];
          stackBlocks(stack()).forEach((block, e) => {
            const g = tf.matMul(dy2, block);
            dxParts.push(tf.mul(g, tf.reshape(tokenScales[e], [rows, 1])));
            dcParts.push(tf.sum(tf.reshape(tf.sum(tf.mul(g, x2), 1), [batch, tokens]), 1));
          });
          const dx = tf.reshape(tf.addN(dxParts), [batch, tokens, inFeatures]);
          const dcBiases = tf.matMul(tf.sum(dy, 1), tf.transpose(biases));
          return [dx, tf.add(tf.stack(dcParts, 1), dcBiases)];
        }),
    };
  });
  return op(x, c);
}
