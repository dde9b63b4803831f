import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../../errors.js';
import { Linear } from '../linear.js';
import { MultiHeadAttention } from '../multi-head-attention.js';
import { matMul } from './matmul.js';

const SHAPES: [number[], number[]][] = [
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

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('matMul', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [shapeA, shapeB] of SHAPES) {
    it(`matches tf.matMul and its gradients for [${shapeA}]·[${shapeB}]`, () => {
      tf.tidy(() => {
        const a = tf.randomNormal(shapeA, 0, 1, 'float32', 1);
        const b = tf.randomNormal(shapeB, 0, 1, 'float32', 2);
        const upstream = tf.randomNormal(tf.matMul(a, b).shape, 0, 1, 'float32', 3);
        const objective =
          (product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(product(x, y), upstream));

        expect(maxAbsDiff(matMul(a, b), tf.matMul(a, b))).toBeLessThanOrEqual(1e-6);
        const [dA, dB] = tf.grads(objective(matMul))([a, b]);
        const [refA, refB] = tf.grads(objective((x, y) => tf.matMul(x, y)))([a, b]);
        expect(dA.shape).toEqual(shapeA);
        expect(dB.shape).toEqual(shapeB);
        expect(maxAbsDiff(dA, refA)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(dB, refB)).toBeLessThanOrEqual(1e-5);
      });
    });
  }

  it('rejects mismatched ranks, batch dims and inner dims', () => {
    tf.tidy(() => {
      expect(() => matMul(tf.zeros([2, 3, 4]), tf.zeros([4, 5]))).toThrow(MergebenchError);
      expect(() => matMul(tf.zeros([2, 3, 4]), tf.zeros([3, 4, 5]))).toThrow(/batch dims/);
      expect(() => matMul(tf.zeros([3, 4]), tf.zeros([5, 6]))).toThrow('shapes [3,4] and [5,6] do not match');
      expect(() => matMul(tf.zeros([4]), tf.zeros([4]))).toThrow(/rank 2, 3 or 4/);
    });
  });

  it('leaks no tensors across repeated forward and backward passes', () => {
    const a = tf.randomNormal([2, 3, 4]);
    const b = tf.randomNormal([2, 4, 5]);
    const step = () => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul(x, y)))([a, b]);
      tf.dispose([value, ...grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('uses no transpose flags in the forward or backward pass of Linear and attention', () => {
    // Records the flags of every BatchMatMul the cpu backend runs.
    const original = tf.getKernel('BatchMatMul', 'cpu')!;
    const flags: boolean[] = [];
    tf.unregisterKernel('BatchMatMul', 'cpu');
    tf.registerKernel({
      ...original,
      kernelFunc: (params) => {
        flags.push(Boolean(params.attrs?.transposeA), Boolean(params.attrs?.transposeB));
        return original.kernelFunc(params);
      },
    });
    const linear = new Linear(8, 8);
    const attention = new MultiHeadAttention(8, 2);
    try {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 3, 8]);
        const variables = [...linear.trainableVariables(), ...attention.trainableVariables()];
        tf.variableGrads(() => tf.sum(attention.forward(linear.forward(x))) as tf.Scalar, variables);
      });
    } finally {
      tf.unregisterKernel('BatchMatMul', 'cpu');
      tf.registerKernel(original);
      linear.dispose();
      attention.dispose();
    }
    // Forward: 1 + 4 projections + 2 attention products; backward: two products each.
    expect(flags.length / 2).toBe(7 * 3);
    expect(flags.some(Boolean)).toBe(false);
  });
});
