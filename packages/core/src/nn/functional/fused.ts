import * as tf from '@tensorflow/tfjs';

/**
 * Kernels a backend may register to run in one pass what the ops below otherwise compose from
 * several tfjs kernels (@mergebench/backend-native registers them). Where the active backend has
 * them they are used, with the gradients registered here; elsewhere the composed ops run unchanged.
 */
export const FUSED_KERNELS = {
  /** { x [..., d], gamma [d], beta [d] }, { eps } → [y like x, mean [rows], rstd [rows]] */
  layerNorm: 'MergebenchLayerNorm',
  /** { x, gamma, dy, mean, rstd } → [dx, dgamma, dbeta] */
  layerNormGrad: 'MergebenchLayerNormGrad',
  /** { x } → x·σ(1.702x) */
  quickGelu: 'MergebenchQuickGelu',
  /** { x, dy } → dy·(σ + 1.702·x·σ·(1 − σ)) */
  quickGeluGrad: 'MergebenchQuickGeluGrad',
  /** { x [rows, in], weight [out, in], bias [out] } → x·weightᵀ + bias, the bias laid before the product */
  linear: 'MergebenchLinear',
} as const;

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

// Registered gradients rather than tf.customGrad: a kernel with several outputs (the layer norm's
// mean and 1/std, kept for its backward pass) and lazy per-input gradients.
tf.registerGradient({
  kernelName: FUSED_KERNELS.quickGelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({
    x: () =>
      tf.engine().runKernel(FUSED_KERNELS.quickGeluGrad, { x: saved[0], dy: dy as tf.Tensor }) as tf.Tensor,
  }),
});

tf.registerGradient({
  kernelName: FUSED_KERNELS.layerNorm,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved) => {
    const [x, gamma, mean, rstd] = saved;
    const dy = Array.isArray(dys) ? dys[0] : dys;
    // One kernel gives all three, but tfjs evaluates each input's gradient in a scope of its own
    // that frees the others: each takes its own. Frozen weights (the usual case) ask for dx only.
    const grad = (i: number) => () => {
      const grads = tf
        .engine()
        .runKernel(FUSED_KERNELS.layerNormGrad, { x, gamma, dy, mean, rstd }) as tf.Tensor[];
      tf.dispose(grads.filter((_, j) => j !== i));
      return grads[i];
    };
    return { x: grad(0), gamma: grad(1), beta: grad(2) };
  },
});

// Lazy per-input gradients, as tfjs's own matMul: a frozen weight's gradient is never computed.
tf.registerGradient({
  kernelName: FUSED_KERNELS.linear,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved) => {
    const [x, weight] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () => tf.matMul(g, weight),
      weight: () => tf.matMul(g, x, true, false),
      bias: () => tf.sum(g, 0),
    };
  },
});

/** x·weightᵀ + bias for x [rows, in] by the backend's fused kernel, or undefined where it has none. */
export function fusedLinear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor | undefined {
  const float32 = x.dtype === 'float32' && weight.dtype === 'float32' && bias.dtype === 'float32';
  if (!float32 || x.size === 0 || weight.size === 0 || !hasKernel(FUSED_KERNELS.linear)) return undefined;
  return tf.engine().runKernel(FUSED_KERNELS.linear, { x, weight, bias }) as tf.Tensor;
}

/** x·σ(1.702x) by the backend's fused kernel, or undefined where it has none. */
export function fusedQuickGelu(x: tf.Tensor): tf.Tensor | undefined {
  if (x.dtype !== 'float32' || !hasKernel(FUSED_KERNELS.quickGelu)) return undefined;
  return tf.engine().runKernel(FUSED_KERNELS.quickGelu, { x }) as tf.Tensor;
}

/** Layer norm over the last axis by the backend's fused kernel, or undefined where it has none. */
export function fusedLayerNorm(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  eps: number,
): tf.Tensor | undefined {
  const float32 = x.dtype === 'float32' && weight.dtype === 'float32' && bias.dtype === 'float32';
  if (!float32 || x.size === 0 || !hasKernel(FUSED_KERNELS.layerNorm)) return undefined;
  const [y, mean, rstd] = tf
    .engine()
    .runKernel(FUSED_KERNELS.layerNorm, { x, gamma: weight, beta: bias }, { eps }) as tf.Tensor[];
  // Kept for the backward pass by the tape where gradients are recorded; not needed here.
  tf.dispose([mean, rstd]);
  return y;
}
