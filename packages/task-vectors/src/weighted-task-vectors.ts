import { check, type ModelPool, type Module, readAll, withWeights } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Per parameter name, the coefficients λᵢ of θ₀ + Σᵢ λᵢτᵢ (one per fine-tuned model, in pool
 * order, any sign).
 */
export type KeyWeights = (key: string) => readonly number[];

/**
 * Writes θ₀ + Σᵢ λᵢ(key)·(θᵢ − θ₀) into `model`, the pool's pretrained model (whose values serve
 * as θ₀ while they are read), reading the fine-tuned models key by key: task arithmetic with one
 * λ per model, and per key if need be. Non-float tensors keep θ₀'s value. The sum is built in the
 * order θ₀ + λ₁τ₁ + λ₂τ₂ + …, each step a float32 tensor op.
 */
export async function writeWeightedTaskVectors(
  pool: ModelPool,
  model: Module,
  weightsFor: KeyWeights,
): Promise<void> {
  const models = pool.modelNames.length;
  await withWeights(pool, pool.modelNames, async (sources) => {
    for (const [key, theta0] of model.stateDict()) {
      if (theta0.dtype !== 'float32') continue;
      const weights = weightsFor(key);
      check(
        weights.length === models,
        () => `${weights.length} coefficients given for '${key}' and ${models} fine-tuned models`,
      );
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
