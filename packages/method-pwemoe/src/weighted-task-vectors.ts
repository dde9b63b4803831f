import { type ModelPool, type Module, readAll, withWeights } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Per parameter name, the coefficients wᵢ of θ₀ + Σᵢ wᵢτᵢ (one per fine-tuned model, in pool
 * order).
 */
export type KeyWeights = (key: string) => readonly number[];

/**
 * Writes θ₀ + Σᵢ wᵢ(key)·(θᵢ − θ₀) into `model`, the pool's pretrained model (whose values serve
 * as θ₀ while they are read), reading the fine-tuned models key by key. Non-float tensors keep
 * θ₀'s value. This is how a member of a family becomes a plain model without the upscaled model
 * held in memory.
 */
export async function writeWeightedTaskVectors(
  pool: ModelPool,
  model: Module,
  weightsFor: KeyWeights,
): Promise<void> {
  await withWeights(pool, pool.modelNames, async (sources) => {
    for (const [key, theta0] of model.stateDict()) {
      if (theta0.dtype !== 'float32') continue;
      const weights = weightsFor(key);
      const thetas = await readAll(sources, key);
      try {
        const merged = tf.tidy(() =>
          thetas.reduce(
            (sum: tf.Tensor, theta, i) =>
              tf.add(sum, tf.mul(tf.sub(tf.cast(theta, 'float32'), theta0), weights[i])),
            theta0,
          ),
        );
        try {
          model.loadStateDict(new Map([[key, merged]]), { strict: false });
        } finally {
          merged.dispose();
        }
      } finally {
        tf.dispose(thetas);
      }
    }
  });
}
