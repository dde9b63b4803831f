import * as tf from '@tensorflow/tfjs';

/**
 * Σᵢ term(i) for i < count, one term at a time, so that at most two partial results are alive
 * (tf.addN would hold every term at once). `term` runs in a scope of its own.
 */
export function runningSum(count: number, term: (index: number) => tf.Tensor): tf.Tensor {
  let total = tf.tidy(() => term(0));
  for (let i = 1; i < count; i++) {
    const next = tf.tidy(() => tf.add(total, term(i)));
    total.dispose();
    total = next;
  }
  return total;
}
