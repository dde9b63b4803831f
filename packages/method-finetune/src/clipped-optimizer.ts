import { type Gradients, type Optimizer, OptimizerWrapper } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * An optimizer whose gradients are first scaled down to a global L2 norm of at most `maxNorm`,
 * as torch.nn.utils.clip_grad_norm_ does before optimizer.step() (scale = maxNorm / (norm + 1e-6)
 * when that is below 1). State, learning rate and variables are the wrapped optimizer's.
 */
export class ClippedOptimizer extends OptimizerWrapper {
  constructor(
    inner: Optimizer,
    readonly maxNorm: number,
  ) {
    super(inner);
  }

  override step(grads: Gradients): void {
    const entries: [tf.Variable | string, tf.Tensor][] = (
      grads instanceof Map ? [...grads.entries()] : Object.entries(grads)
    ).filter((e): e is [tf.Variable | string, tf.Tensor] => e[1] !== null && e[1] !== undefined);
    if (entries.length === 0) return;
    const norm = tf.tidy(() => tf.sqrt(tf.addN(entries.map(([, g]) => tf.sum(tf.square(g))))));
    const scale = this.maxNorm / (norm.dataSync()[0] + 1e-6);
    norm.dispose();
    if (scale >= 1) {
      super.step(grads);
      return;
    }
    const scaled = entries.map(([key, g]) => [key, tf.mul(g, scale)] as const);
    try {
      super.step(
        grads instanceof Map
          ? new Map(scaled as (readonly [tf.Variable, tf.Tensor])[])
          : Object.fromEntries(scaled as (readonly [string, tf.Tensor])[]),
      );
    } finally {
      tf.dispose(scaled.map(([, g]) => g));
    }
  }
}
