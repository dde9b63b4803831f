import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, withGradients } from '../cpu-parity.test.helpers.js';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('Transpose on native agrees with cpu', () => {
  const shapes = [[5], [3, 4], [1, 7], [2, 3, 4], [3, 1, 5], [2, 3, 1, 5], [2, 3, 4, 5], [65, 33], [0, 3]];
  for (const shape of shapes) {
    it(`[${shape}], every permutation, forward and gradient`, () => {
      const size = shape.reduce((a, b) => a * b, 1);
      for (const perm of permutations(shape.length)) {
        const fn = (x: tf.Tensor) => tf.transpose(x, perm);
        expectSameAsCpu(size > 0 ? withGradients(fn) : fn, [{ shape }]);
      }
    });
  }

  it('rank 5 with a large tile-crossing middle', () => {
    expectSameAsCpu((x) => tf.transpose(x, [0, 3, 1, 4, 2]), [{ shape: [2, 40, 3, 37, 2] }]);
  });

  it('a bad permutation throws the cpu error', () => {
    const out = expectSameAsCpu((x) => tf.transpose(x, [0, 2]), [{ shape: [2, 3] }]);
    expect(out.error).toBeDefined();
  });

  it('int32 takes the cpu kernel', () => {
    expectSameAsCpu((x) => tf.transpose(x), [{ shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: 'int32' }]);
  });
});

describe('Softmax on native agrees with cpu', () => {
  for (const shape of [[1], [7], [4, 5], [2, 3, 50], [12, 50, 50], [0, 3]]) {
    it(`[${shape}], forward and gradient`, () => {
      const size = shape.reduce((a, b) => a * b, 1);
      expectSameAsCpu(size > 0 ? withGradients((x) => tf.softmax(x)) : (x) => tf.softmax(x), [{ shape }]);
    });
  }

  it('rows holding NaN, +Inf, -Inf and large values', () => {
    const inf = Number.POSITIVE_INFINITY;
    const values = [1, Number.NaN, 2, inf, 0, 1, -inf, 0, 1, -inf, -inf, -inf, 1000, -1000, 0];
    expectSameAsCpu((x) => tf.softmax(x), [{ shape: [5, 3], values }]);
  });

  it('a dimension other than the last throws the cpu error', () => {
    const out = expectSameAsCpu((x) => tf.softmax(x, 0), [{ shape: [2, 3] }]);
    expect(out.error).toMatch(/non-last dimension/);
  });
});
