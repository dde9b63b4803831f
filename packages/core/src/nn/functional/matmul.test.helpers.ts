import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { matMul } from './matmul.js';

/** Shapes of op(a) · op(b) before any flag: rank 2, 3 and 4. */
export const SHAPES: [number[], number[]][] = [
  [
    [3, 4],
    [4, 5],
  ],
  [
    [2, 3, 4],
    [2, 4, 5],
  ],
  [
    [2, 3, 4, 5],
    [2, 3, 5, 6],
  ],
];

export const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const swapLastTwo = (shape: number[]) => [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!];

/** matMul's product and both gradients equal tf.matMul's for these shapes and flags, on the active backend. */
export function expectMatchesTfMatMul(
  [shapeA, shapeB]: [number[], number[]],
  transposeA: boolean,
  transposeB: boolean,
): void {
  tf.tidy(() => {
    const a = tf.randomNormal(transposeA ? swapLastTwo(shapeA) : shapeA, 0, 1, 'float32', 1);
    const b = tf.randomNormal(transposeB ? swapLastTwo(shapeB) : shapeB, 0, 1, 'float32', 2);
    const reference = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
    const upstream = tf.randomNormal(reference(a, b).shape, 0, 1, 'float32', 3);
    const objective = (product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(product(x, y), upstream));

    expect(maxAbsDiff(matMul(a, b, transposeA, transposeB), reference(a, b))).toBeLessThanOrEqual(1e-5);
    const [dA, dB] = tf.grads(objective((x, y) => matMul(x, y, transposeA, transposeB)))([a, b]);
    const [refA, refB] = tf.grads(objective(reference))([a, b]);
    expect(dA.shape).toEqual(a.shape);
    expect(dB.shape).toEqual(b.shape);
    expect(maxAbsDiff(dA, refA)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(dB, refB)).toBeLessThanOrEqual(1e-4);
  });
}

/** Runs `body` while recording the [transposeA, transposeB] flags of every BatchMatMul `backend` runs. */
export function recordProductFlags(backend: string, body: () => void): [boolean, boolean][] {
  const original = tf.getKernel('BatchMatMul', backend)!;
  const flags: [boolean, boolean][] = [];
  tf.unregisterKernel('BatchMatMul', backend);
  tf.registerKernel({
    ...original,
    kernelFunc: (params) => {
      flags.push([Boolean(params.attrs?.transposeA), Boolean(params.attrs?.transposeB)]);
      return original.kernelFunc(params);
    },
  });
  try {
    body();
  } finally {
    tf.unregisterKernel('BatchMatMul', backend);
    tf.registerKernel(original);
  }
  return flags;
}
