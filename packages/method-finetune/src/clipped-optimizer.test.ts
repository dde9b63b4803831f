import { SGD } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ClippedOptimizer } from './clipped-optimizer.js';

function step(maxNorm: number, grads: number[][]): number[][] {
  const vars = grads.map((g) => tf.tidy(() => tf.variable(tf.zeros([g.length]))));
  const optimizer = new ClippedOptimizer(new SGD(vars, { lr: 1 }), maxNorm);
  const tensors = grads.map((g) => tf.tensor1d(g));
  optimizer.step(new Map(vars.map((v, i) => [v, tensors[i]])));
  // + 0 turns the -0 of an untouched zero into 0.
  const out = vars.map((v) => [...v.dataSync()].map((x) => -x + 0));
  tf.dispose([...vars, ...tensors]);
  optimizer.dispose();
  return out;
}

describe('ClippedOptimizer', () => {
  it('scales all gradients by maxNorm / (global norm + 1e-6) when the norm is larger, as clip_grad_norm_', () => {
    // Global norm of [3, 0] and [4] is 5.
    const [a, b] = step(1, [[3, 0], [4]]);
    const scale = 1 / (5 + 1e-6);
    expect(a[0]).toBeCloseTo(3 * scale, 6);
    expect(b[0]).toBeCloseTo(4 * scale, 6);
  });

  it('leaves gradients within the norm unchanged', () => {
    expect(step(10, [[3, 0], [4]])).toEqual([[3, 0], [4]]);
  });

  it('leaks no tensor', () => {
    const before = tf.memory().numTensors;
    step(1, [[30, 40]]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
