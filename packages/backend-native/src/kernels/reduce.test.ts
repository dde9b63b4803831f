import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, withGradients } from '../cpu-parity.test.helpers.js';

type Reduce = (x: tf.Tensor, axis?: number | number[], keepDims?: boolean) => tf.Tensor;
const REDUCE: Record<string, Reduce> = { Sum: tf.sum, Max: tf.max, Min: tf.min, Mean: tf.mean };

const CASES: [number[], number | number[] | undefined][] = [
  [[7], 0],
  [[7], undefined],
  [[1], 0],
  [[4, 5], 1],
  [[4, 5], 0],
  [[4, 5], -1],
  [
    [4, 5],
    [0, 1],
  ],
  [[2, 3, 4], 1],
  [
    [2, 3, 4],
    [0, 2],
  ],
  [
    [2, 3, 4],
    [1, 2],
  ],
  [
    [2, 3, 4],
    [0, 1],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [[3, 1, 5], 1],
  [[200, 300], 0],
  [[200, 300], 1],
  [[0, 3], 1],
  [[3, 0], 1],
];

describe('reductions on native agree with cpu', () => {
  for (const [name, op] of Object.entries(REDUCE)) {
    for (const [shape, axis] of CASES) {
      for (const keepDims of [false, true]) {
        it(`${name} [${shape}] over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}`, () => {
          const size = shape.reduce((a, b) => a * b, 1);
          const fn = (x: tf.Tensor) => op(x, axis, keepDims);
          expectSameAsCpu(size > 0 ? withGradients(fn) : fn, [{ shape }]);
        });
      }
    }
    it(`${name} with NaN and ±Inf in rows and columns`, () => {
      const values = [1, Number.NaN, 3, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY, 0, 5, 6];
      expectSameAsCpu((x) => [op(x, 0), op(x, 1), op(x)], [{ shape: [3, 3], values }]);
    });
    it(`${name} over an axis out of range throws the cpu error`, () => {
      expect(expectSameAsCpu((x) => op(x, 3), [{ shape: [2, 3] }]).error).toBeDefined();
    });
  }

  it('int32 and bool inputs take the cpu kernels', () => {
    expectSameAsCpu(
      (x) => [tf.sum(x), tf.max(x, 0), tf.mean(x)],
      [{ shape: [3], values: [1, 5, 2], dtype: 'int32' }],
    );
    expectSameAsCpu((x) => tf.sum(x), [{ shape: [3], values: [1, 0, 1], dtype: 'bool' }]);
  });
});
