import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../../errors.js';
import { Linear } from '../linear.js';
import { matMul } from './matmul.js';
import { expectMatchesTfMatMul, FLAGS, recordProductFlags, SHAPES } from './matmul.test.helpers.js';

describe('matMul', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const shapes of SHAPES) {
    for (const [transposeA, transposeB] of FLAGS) {
      it(`matches tf.matMul and its gradients for [${shapes[0]}]·[${shapes[1]}], transposeA ${transposeA}, transposeB ${transposeB}`, () => {
        expectMatchesTfMatMul(shapes, transposeA, transposeB);
      });
    }
  }

  it('rejects mismatched ranks, batch dims and inner dims', () => {
    tf.tidy(() => {
      expect(() => matMul(tf.zeros([2, 3, 4]), tf.zeros([4, 5]))).toThrow(MergebenchError);
      expect(() => matMul(tf.zeros([2, 3, 4]), tf.zeros([3, 4, 5]))).toThrow(/batch dims/);
      expect(() => matMul(tf.zeros([3, 4]), tf.zeros([5, 6]))).toThrow('shapes [3,4] and [5,6] do not match');
      expect(() => matMul(tf.zeros([3, 4]), tf.zeros([6, 5]), false, true)).toThrow(
        'shapes [3,4] and [6,5]ᵀ do not match',
      );
      expect(() => matMul(tf.zeros([4]), tf.zeros([4]))).toThrow(/rank 2, 3 or 4/);
    });
  });

  it('leaks no tensors across repeated forward and backward passes', () => {
    const a = tf.randomNormal([2, 3, 4]);
    const b = tf.randomNormal([2, 5, 4]);
    const step = () => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(matMul(x, y, false, true)),
      )([a, b]);
      tf.dispose([value, ...grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('computes no gradient for a frozen weight: a Linear costs one product forward and one backward', () => {
    const linear = new Linear(8, 8);
    const x = tf.variable(tf.randomNormal([2, 3, 8]));
    const flags = recordProductFlags('cpu', () => {
      tf.tidy(() => {
        tf.variableGrads(() => tf.sum(linear.forward(x)) as tf.Scalar, [x]);
      });
    });
    expect(flags.length).toBe(2);
    linear.dispose();
    x.dispose();
  });
});
