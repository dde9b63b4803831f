import * as tf from '@tensorflow/tfjs';
import { check } from '../../errors.js';

/**
 * Backends whose products with transpose flags run 10-40x slower than plain ones (TOOLCHAIN.md);
 * everywhere else tfjs's own matMul is used, flags and all.
 */
const SLOW_TRANSPOSED_PRODUCTS = new Set(['wasm']);

function transposeLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

// tfjs's own matMul gradient calls matMul with transpose flags; here both passes use explicit
// transposes and plain products only. Its price: a custom gradient computes every input's gradient,
// a frozen weight's included, so it is used only where flags are slow.
const plainMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    // tidy: the backward pass keeps whatever a gradient function leaves in its scope until it ends,
    // so the transposed copies (weight-sized) would pile up over every layer.
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) =>
      tf.tidy(() => [tf.matMul(dy, transposeLastTwo(savedB)), tf.matMul(transposeLastTwo(savedA), dy)]),
  };
});

/**
 * Matrix product `op(a) · op(b)`, op transposing the last two dims when its flag is set, for
 * rank-2 inputs ([M, K]·[K, N] after op), or batched rank-3/4 inputs whose leading (batch)
 * dimensions are equal, e.g. [B, H, M, K]·[B, H, K, N]. Batch dims are not broadcast.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  check(
    a.rank >= 2 && a.rank <= 4 && a.rank === b.rank,
    () => `matMul: expected two tensors of the same rank 2, 3 or 4, got shapes [${a.shape}] and [${b.shape}]`,
  );
  const inner = (x: tf.Tensor, last: boolean) => x.shape[x.rank - (last ? 1 : 2)];
  check(
    a.shape.slice(0, -2).every((d, i) => d === b.shape[i]) && inner(a, !transposeA) === inner(b, transposeB),
    () =>
      `matMul: shapes [${a.shape}]${transposeA ? 'ᵀ' : ''} and [${b.shape}]${transposeB ? 'ᵀ' : ''} do not match (equal batch dims and inner dims expected)`,
  );
  if (!SLOW_TRANSPOSED_PRODUCTS.has(tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB);
  return plainMatMul(transposeA ? transposeLastTwo(a) : a, transposeB ? transposeLastTwo(b) : b);
}
