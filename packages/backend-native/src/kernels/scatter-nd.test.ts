import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, valuesFor } from '../cpu-parity.test.helpers.js';

const scatter = (shape: number[]) => (indices: tf.Tensor, updates: tf.Tensor) =>
  tf.scatterND(indices, updates, shape);

describe('ScatterNd on native agrees with cpu', () => {
  it('single entries into a flat output, duplicates summed', () => {
    const positions = [7, 0, 3, 7, 9, 3, 3];
    expectSameAsCpu(scatter([10]), [
      { shape: [positions.length, 1], values: positions, dtype: 'int32' },
      { shape: [positions.length] },
    ]);
  });

  it('rows into a matrix (slices of 5)', () => {
    expectSameAsCpu(scatter([6, 5]), [
      { shape: [4, 1], values: [5, 0, 2, 0], dtype: 'int32' },
      { shape: [4, 5] },
    ]);
  });

  it('two-dimensional indices into a rank-3 output', () => {
    expectSameAsCpu(scatter([3, 4, 2]), [
      { shape: [2, 3, 2], values: [0, 1, 2, 3, 1, 1, 0, 1, 2, 0, 2, 3], dtype: 'int32' },
      { shape: [2, 3, 2] },
    ]);
  });

  it("E-WEMoE's size: a tenth of a 1024 × 256 weight", () => {
    const size = 1024 * 256;
    const positions = Array.from({ length: size / 10 }, (_, i) => (i * 7919) % size);
    expectSameAsCpu(scatter([size]), [
      { shape: [positions.length, 1], values: positions, dtype: 'int32' },
      { shape: [positions.length], values: valuesFor([positions.length], 3) },
    ]);
  });

  it('an index out of range throws the cpu error', () => {
    const out = expectSameAsCpu(scatter([4]), [
      { shape: [2, 1], values: [1, 4], dtype: 'int32' },
      { shape: [2] },
    ]);
    expect(out.error).toMatch(/Invalid indices/);
  });

  it('int32 updates take the cpu kernel', () => {
    expectSameAsCpu(scatter([4]), [
      { shape: [2, 1], values: [1, 1], dtype: 'int32' },
      { shape: [2], values: [3, 4], dtype: 'int32' },
    ]);
  });
});
