import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, withGradients } from '../cpu-parity.test.helpers.js';

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** Operand shapes of a product [m, k]·[k, n] stored for the given transpose flags. */
function operands(
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  batchA: number[] = [],
  batchB = batchA,
) {
  return [
    { shape: [...batchA, ...(ta ? [k, m] : [m, k])] },
    { shape: [...batchB, ...(tb ? [n, k] : [k, n])] },
  ];
}

describe('BatchMatMul on native agrees with cpu', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [3, 5, 7],
    [17, 33, 9],
    [64, 96, 48],
    [0, 4, 3],
    [3, 0, 4],
    [2, 4, 0],
  ];
  for (const [m, k, n] of sizes) {
    for (const [ta, tb] of FLAGS) {
      it(`[${m}x${k}]·[${k}x${n}] transposeA=${ta} transposeB=${tb}, forward and gradients`, () => {
        const fn = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
        expectSameAsCpu(m * k * n === 0 ? fn : withGradients(fn), operands(m, k, n, ta, tb));
      });
    }
  }

  for (const [ta, tb] of FLAGS) {
    it(`batched rank 3 and 4, transposeA=${ta} transposeB=${tb}`, () => {
      const fn = withGradients((a, b) => tf.matMul(a, b, ta, tb));
      expectSameAsCpu(fn, operands(5, 8, 3, ta, tb, [6]));
      expectSameAsCpu(fn, operands(4, 9, 5, ta, tb, [2, 3]));
    });
    it(`broadcast batch of one, transposeA=${ta} transposeB=${tb}`, () => {
      const fn = withGradients((a, b) => tf.matMul(a, b, ta, tb));
      expectSameAsCpu(fn, operands(5, 6, 7, ta, tb, [4], [1]));
      expectSameAsCpu(fn, operands(5, 6, 7, ta, tb, [1], [4]));
      expectSameAsCpu(fn, operands(3, 4, 2, ta, tb, [2, 3], [3]));
    });
  }

  it('many small products (attention heads) spread over the thread pool', () => {
    expectSameAsCpu((a, b) => tf.matMul(a, b, false, true), operands(50, 64, 50, false, true, [24]));
  });

  it('NaN and Inf propagate as on cpu', () => {
    const a = { shape: [2, 3], values: [1, Number.NaN, 2, Number.POSITIVE_INFINITY, 0, 1] };
    const b = { shape: [3, 2], values: [1, 2, 3, 4, 5, Number.NEGATIVE_INFINITY] };
    expectSameAsCpu((x, y) => tf.matMul(x, y), [a, b]);
  });

  it('mismatched shapes throw the cpu error', () => {
    const out = expectSameAsCpu((a, b) => tf.matMul(a, b), [{ shape: [2, 3] }, { shape: [4, 2] }]);
    expect(out.error).toMatch(/inner shapes/);
    const kernel = expectSameAsCpu(
      (a, b) =>
        tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor,
      [{ shape: [2, 2, 3] }, { shape: [3, 3, 2] }],
    );
    expect(kernel.error).toBeDefined();
  });

  it('int32 operands take the cpu kernel', () => {
    expectSameAsCpu(
      (a, b) => tf.matMul(a, b),
      [
        { shape: [2, 2], values: [1, 2, 3, 4], dtype: 'int32' },
        { shape: [2, 2], values: [5, 6, 7, 8], dtype: 'int32' },
      ],
    );
  });
});

describe('_FusedMatMul on native agrees with cpu', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  for (const activation of activations) {
    for (const [ta, tb] of FLAGS) {
      it(`bias + ${activation}, transposeA=${ta} transposeB=${tb}, forward and gradients`, () => {
        const fn = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation, leakyreluAlpha: 0.1 });
        const inputs = [...operands(6, 5, 7, ta, tb), { shape: [7] }];
        // tfjs defines gradients of the fused product for linear and relu only.
        expectSameAsCpu(activation === 'linear' || activation === 'relu' ? withGradients(fn) : fn, inputs);
      });
    }
  }

  it('prelu with per-column weights, batched, bias broadcast over rows', () => {
    const fn = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor, alpha: tf.Tensor) =>
      tf.fused.matMul({ a, b, bias, activation: 'prelu', preluActivationWeights: alpha });
    expectSameAsCpu(fn, [{ shape: [3, 4, 5] }, { shape: [3, 5, 6] }, { shape: [4, 1] }, { shape: [6] }]);
  });

  it('no bias, no activation', () => {
    expectSameAsCpu((a, b) => tf.fused.matMul({ a, b }), operands(3, 4, 5, false, false));
  });
});
