import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, valuesFor, withGradients } from '../cpu-parity.test.helpers.js';

const SPECIAL = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  1,
  -1,
  0.5,
  -3,
  40,
  -40,
  100,
  -100,
  1e-30,
];

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const BINARY: Record<string, Binary> = {
  Add: tf.add,
  Sub: tf.sub,
  Multiply: tf.mul,
  RealDiv: tf.div,
  Maximum: tf.maximum,
  Minimum: tf.minimum,
  Pow: tf.pow,
  SquaredDifference: tf.squaredDifference,
  Prelu: tf.prelu,
};

const BROADCASTS: [number[], number[]][] = [
  [
    [4, 5],
    [4, 5],
  ],
  [[4, 5], [5]],
  [[5], [4, 5]],
  [
    [4, 5],
    [4, 1],
  ],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [[], [3, 2]],
  [[3, 2], []],
  [[1], [1]],
  [
    [7, 1, 3],
    [1, 5, 1],
  ],
  [[300, 257], [257]],
  [[0, 3], [3]],
  [[2, 0], [1]],
];

describe('binary kernels on native agree with cpu', () => {
  for (const [name, op] of Object.entries(BINARY)) {
    for (const [a, b] of BROADCASTS) {
      // Prelu's gradient needs the weights to match x's shape (tfjs sums them back only partly).
      const grads =
        a.every((d) => d > 0) && b.every((d) => d > 0) && (name !== 'Prelu' || a.length === b.length);
      it(`${name} [${a}] ∘ [${b}]${grads ? ', forward and gradients' : ''}`, () => {
        const positiveBase = name === 'Pow' ? { values: valuesFor(a).map((v) => Math.abs(v) + 0.5) } : {};
        expectSameAsCpu(grads ? withGradients(op) : op, [{ shape: a, ...positiveBase }, { shape: b }]);
      });
    }
    it(`${name} with NaN, ±Inf, ±0 on both sides`, () => {
      const n = SPECIAL.length;
      const a = SPECIAL.flatMap((x) => SPECIAL.map(() => x));
      const b = SPECIAL.flatMap(() => SPECIAL);
      expectSameAsCpu(op, [
        { shape: [n, n], values: a },
        { shape: [n, n], values: b },
      ]);
    });
    it(`${name} with shapes that do not broadcast throws the cpu error`, () => {
      const out = expectSameAsCpu(op, [{ shape: [2, 3] }, { shape: [4] }]);
      expect(out.error).toBeDefined();
    });
  }

  it('int32 and mixed dtypes take the cpu kernels', () => {
    expectSameAsCpu(
      (a, b) => [tf.add(a, b), tf.mul(a, b), tf.sub(a, b)],
      [
        { shape: [3], values: [1, 2, 3], dtype: 'int32' },
        { shape: [3], values: [4, 5, 6], dtype: 'int32' },
      ],
    );
    expectSameAsCpu(
      (a, b) => tf.add(a, b),
      [{ shape: [3] }, { shape: [3], values: [4, 5, 6], dtype: 'int32' }],
    );
  });

  it('AddN of several tensors, and of int32 ones', () => {
    expectSameAsCpu(
      withGradients((a, b, c) => tf.addN([a, b, c])),
      [{ shape: [5, 7] }, { shape: [5, 7] }, { shape: [5, 7] }],
    );
    expectSameAsCpu(
      (a, b) => tf.addN([a, b]),
      [
        { shape: [2], values: [1, 2], dtype: 'int32' },
        { shape: [2], values: [3, 4], dtype: 'int32' },
      ],
    );
  });
});

type Unary = (x: tf.Tensor) => tf.Tensor;
const UNARY: Record<string, Unary> = {
  Exp: tf.exp,
  Log: tf.log,
  Sqrt: tf.sqrt,
  Rsqrt: tf.rsqrt,
  Square: tf.square,
  Neg: tf.neg,
  Abs: tf.abs,
  Sigmoid: tf.sigmoid,
  Tanh: tf.tanh,
  Erf: tf.erf,
  Relu: tf.relu,
  Relu6: tf.relu6,
  Elu: tf.elu,
  LeakyRelu: (x) => tf.leakyRelu(x, 0.3),
  Reciprocal: tf.reciprocal,
};
/** Ops defined only for positive inputs get positive values in the gradient checks. */
const POSITIVE = new Set(['Log', 'Sqrt', 'Rsqrt', 'Reciprocal']);

describe('unary kernels on native agree with cpu', () => {
  for (const [name, op] of Object.entries(UNARY)) {
    for (const shape of [[], [1], [7], [3, 5], [130, 257], [0, 4]]) {
      it(`${name} [${shape}]`, () => {
        const values = POSITIVE.has(name) ? { values: valuesFor(shape).map((v) => Math.abs(v) + 0.1) } : {};
        const size = shape.reduce((a, b) => a * b, 1);
        expectSameAsCpu(size > 0 ? withGradients(op) : op, [{ shape, ...values }]);
      });
    }
    it(`${name} of NaN, ±Inf, ±0 and large values`, () => {
      expectSameAsCpu(op, [{ shape: [SPECIAL.length], values: SPECIAL }]);
    });
  }

  it('exp across its whole float32 range, overflow and underflow included', () => {
    const values = Array.from({ length: 2001 }, (_, i) => -100 + i * 0.1);
    expectSameAsCpu(tf.exp, [{ shape: [values.length], values }], 2e-6);
    expectSameAsCpu(tf.sigmoid, [{ shape: [values.length], values }], 2e-6);
  });
});
