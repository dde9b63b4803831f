import * as tf from '@tensorflow/tfjs';
import { check } from '../../errors.js';

function transposeLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

// tfjs's own matMul gradient calls matMul with transpose flags, which the wasm backend runs 10-40x
// slower than a plain product; here both passes use explicit transposes and plain products only.
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
 * Matrix product `a · b` for rank-2 inputs [M, K]·[K, N], or batched rank-3/4 inputs whose leading
 * (batch) dimensions are equal, e.g. [B, H, M, K]·[B, H, K, N]. Batch dims are not broadcast.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  check(
    a.rank >= 2 && a.rank <= 4 && a.rank === b.rank,
    () => `matMul: expected two tensors of the same rank 2, 3 or 4, got shapes [${a.shape}] and [${b.shape}]`,
  );
  check(
    a.shape.slice(0, -2).every((d, i) => d === b.shape[i]) && a.shape[a.rank - 1] === b.shape[b.rank - 2],
    () =>
      `matMul: shapes [${a.shape}] and [${b.shape}] do not match (equal batch dims and inner dims expected)`,
  );
  return plainMatMul(a, b);
}
