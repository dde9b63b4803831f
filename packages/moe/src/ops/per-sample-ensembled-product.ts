import * as tf from '@tensorflow/tfjs';
import type { BlocksProvider } from './blocks-provider.js';
import { runningSum } from './running-sum.js';

/**
 * y[b] = x[b]·(Σₑ c[b,e]·Wₑ)ᵀ + Σₑ c[b,e]·bₑ for every sample b of x [B, N, in], with per-sample
 * coefficients c [B, E] over the weight blocks Wₑ [out, in] and the biases bₑ [E, out], without
 * building any per-sample weight: yᵀ = Σₑ Wₑ · (xᵀ ⊙ cₑ), one plain product per block for the
 * whole batch, each token's column scaled by its sample's coefficient (on the input side, or on
 * the output side when that is the smaller).
 *
 * The gradient flows to x and c only (the blocks and biases are frozen), and only x and c are
 * kept for it: gₑ = dy · Wₑ gives dx = Σₑ cₑ ⊙ gₑ and dc[b,e] = Σ over b's tokens of gₑ · x.
 * Intermediates are of the size of x or y, one block at a time. A block is the left operand of
 * the forward products; the backward product takes a copy of it, because the wasm backend keeps
 * a packed copy of a product's right operand for as long as that operand's data lives (for the
 * experts, the whole run).
 */
export function perSampleEnsembledProduct(
  x: tf.Tensor,
  c: tf.Tensor,
  blocks: BlocksProvider,
  biases: tf.Tensor,
): tf.Tensor {
  const [batch, tokens, inFeatures] = x.shape as [number, number, number];
  const [experts, outFeatures] = biases.shape as [number, number];
  const rows = batch * tokens;
  const scaleInputs = inFeatures <= outFeatures;
  /** Every block's coefficient for every token, [E, 1, B·N]: c[b,e] repeated over b's tokens. */
  const tokenScales = (cIn: tf.Tensor) =>
    tf.reshape(tf.tile(tf.reshape(tf.transpose(cIn), [experts, batch, 1]), [1, 1, tokens]), [
      experts,
      1,
      rows,
    ]);
  const scaleOf = (scales: tf.Tensor, e: number) =>
    tf.reshape(tf.slice(scales, [e, 0, 0], [1, 1, rows]), [1, rows]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, cIn]);
    const xT = tf.transpose(tf.reshape(xIn, [rows, inFeatures]));
    const scales = tokenScales(cIn);
    const parts = blocks();
    const yT = runningSum(experts, (e) => {
      const scale = scaleOf(scales, e);
      return scaleInputs ? tf.matMul(parts[e], tf.mul(xT, scale)) : tf.mul(tf.matMul(parts[e], xT), scale);
    });
    const y = tf.reshape(tf.transpose(yT), [batch, tokens, outFeatures]);
    return {
      value: tf.add(y, tf.expandDims(tf.matMul(cIn, biases), 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, cs] = saved;
          const dy2 = tf.reshape(dy, [rows, outFeatures]);
          const x2 = tf.reshape(xs, [rows, inFeatures]);
          const scales = tokenScales(cs);
          const parts = blocks();
          const dcParts: tf.Tensor[] = [];
          const dx = runningSum(experts, (e) => {
            const g = tf.matMul(dy2, tf.clone(parts[e]));
            dcParts.push(tf.keep(tf.sum(tf.reshape(tf.sum(tf.mul(g, x2), 1), [batch, tokens]), 1)));
            return tf.mul(g, tf.reshape(scaleOf(scales, e), [rows, 1]));
          });
          const dcBiases = tf.matMul(tf.sum(dy, 1), tf.transpose(biases));
          const dc = tf.add(tf.stack(dcParts, 1), dcBiases);
          tf.dispose(dcParts);
          return [tf.reshape(dx, [batch, tokens, inFeatures]), dc];
        }),
    };
  });
  return op(x, c);
}
