import * as tf from '@tensorflow/tfjs';
import { freshCopy } from './fresh-copy.js';
import type { StackProvider } from './stack-provider.js';

/**
 * y[b] = x[b]·(Σₑ c[b,e]·Wₑ)ᵀ + Σₑ c[b,e]·bₑ for every sample b of x [B, N, in], with per-sample
 * coefficients c [B, E] over the E blocks of the stack [out, E, in] and of the biases [E, out],
 * without building any per-sample weight: the inputs are scaled instead,
 * x̃[(e,k), (b,n)] = c[b,e]·x[b,n,k], and one plain product W [out, E·in] · x̃ [E·in, B·N] gives
 * every sample's output.
 *
 * The gradient flows to x and c only (the stack and biases are frozen), and only x and c are kept
 * for it. The stack is the left operand of the forward product; the backward product
 * dy · W [B·N, E·in] takes a fresh copy of it (see freshCopy).
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
  const weights = () => tf.reshape(stack(), [outFeatures, experts * inFeatures]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, cIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, cIn]);
    const xT = tf.reshape(tf.transpose(tf.reshape(xIn, [rows, inFeatures])), [1, inFeatures, batch, tokens]);
    const scaledT = tf.mul(xT, tf.reshape(tf.transpose(cIn), [experts, 1, batch, 1]));
    const yT = tf.matMul(weights(), tf.reshape(scaledT, [experts * inFeatures, rows]));
    const y = tf.reshape(tf.transpose(yT), [batch, tokens, outFeatures]);
    return {
      value: tf.add(y, tf.expandDims(tf.matMul(cIn, biases), 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, cs] = saved;
          const g = tf.reshape(tf.matMul(tf.reshape(dy, [rows, outFeatures]), freshCopy(weights())), [
            batch,
            tokens,
            experts,
            inFeatures,
          ]);
          const dx = tf.sum(tf.mul(g, tf.reshape(cs, [batch, 1, experts, 1])), 2);
          const dcWeights = tf.sum(tf.sum(tf.mul(g, tf.reshape(xs, [batch, tokens, 1, inFeatures])), 3), 1);
          const dcBiases = tf.matMul(tf.sum(dy, 1), tf.transpose(biases));
          return [dx, tf.add(dcWeights, dcBiases)];
        }),
    };
  });
  return op(x, c);
}
