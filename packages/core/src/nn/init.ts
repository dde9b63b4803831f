import * as tf from '@tensorflow/tfjs';

/** `seed + offset`, or undefined (unseeded) without a seed: one reproducible stream per tensor of a layer. */
export function offsetSeed(seed: number | undefined, offset: number): number | undefined {
  return seed === undefined ? undefined : seed + offset;
}

/** PyTorch's default initialisation of Linear and Conv weights and biases: U(-1/√fanIn, 1/√fanIn). */
export function fanInUniform(shape: number[], fanIn: number, seed?: number): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.randomUniform(shape, -bound, bound, 'float32', seed);
}
