import type { StateDict } from '@mergebench/core';
import { disposeStateDict, MergebenchError } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyTaskVectors, taskArithmetic, taskArithmeticTensor, taskVector } from './task-vector.js';

const model = (seed: number): StateDict =>
  new Map<string, tf.Tensor>([
    ['w', tf.randomNormal([13, 7], 0, 1, 'float32', seed)],
    ['b', tf.randomNormal([7], 0, 0.01, 'float32', seed + 1)],
    ['position_ids', tf.tensor([0, 1, 2], [3], 'int32')],
  ]);

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

let live: number;
beforeEach(() => {
  live = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

describe('task vectors', () => {
  it('computes hand-checked values', () => {
    const base = new Map([['w', tf.tensor([1, 2, 3])]]);
    const a = new Map([['w', tf.tensor([2, 2, 5])]]);
    const b = new Map([['w', tf.tensor([1, 0, 3])]]);
    const tau = taskVector(a, base);
    expect(Array.from(tau.get('w')!.dataSync())).toEqual([1, 0, 2]);
    const merged = taskArithmetic(base, [a, b], 0.5);
    // θ₀ + 0.5 · ((1, 0, 2) + (0, -2, 0))
    expect(Array.from(merged.get('w')!.dataSync())).toEqual([1.5, 1, 4]);
    const perModel = taskArithmetic(base, [a, b], [1, -1]);
    expect(Array.from(perModel.get('w')!.dataSync())).toEqual([2, 4, 5]);
    for (const sd of [base, a, b, tau, merged, perModel]) disposeStateDict(sd);
  });

  it('matches the reference order of tf ops bit for bit', () => {
    // Five models: the summing loop takes four inputs per pass plus a remainder.
    const base = model(1);
    const tuned = [2, 3, 4, 5, 6].map(model);
    const lambda = 0.3;
    const weights = [0.3, -0.7, 1.1, 0.05, 2];
    const merged = taskArithmetic(base, tuned, lambda);
    const perModel = taskArithmetic(base, tuned, weights);
    const p = base.get('w')!;
    const xs = tuned.map((sd) => sd.get('w')!);
    tf.tidy(() => {
      // task_vector = τ₁ + τ₂ + …; θ₀ + λ · task_vector
      const sumTau = xs.map((x) => tf.sub(x, p)).reduce((acc, tau) => tf.add(acc, tau));
      expect(bits(merged.get('w')!)).toEqual(bits(tf.add(p, tf.mul(sumTau, lambda))));
      const weighted = xs.map((x, i) => tf.mul(tf.sub(x, p), weights[i])).reduce((acc, t) => tf.add(acc, t));
      expect(bits(perModel.get('w')!)).toEqual(bits(tf.add(p, weighted)));
    });
    for (const sd of [base, ...tuned, merged, perModel]) disposeStateDict(sd);
  });

  it('gives the same result from task vectors as from fine-tuned weights', () => {
    const base = model(5);
    const tuned = [6, 7, 8, 9, 10].map(model);
    const taus = tuned.map((sd) => taskVector(sd, base));
    for (const scaling of [0.4, [0.2, 0.9, -1, 0.5, 3]]) {
      const fused = taskArithmetic(base, tuned, scaling);
      const applied = applyTaskVectors(base, taus, scaling);
      for (const key of ['w', 'b']) expect(bits(fused.get(key)!)).toEqual(bits(applied.get(key)!));
      disposeStateDict(fused);
      disposeStateDict(applied);
    }
    for (const sd of [base, ...tuned, ...taus]) disposeStateDict(sd);
  });

  it('copies integer buffers from the pretrained model', () => {
    const base = model(8);
    const tuned = model(9);
    const merged = taskArithmetic(base, [tuned], 2);
    expect(merged.get('position_ids')!.dtype).toBe('int32');
    expect(Array.from(merged.get('position_ids')!.dataSync())).toEqual([0, 1, 2]);
    for (const sd of [base, tuned, merged]) disposeStateDict(sd);
  });

  it('rejects bad scaling and mismatched models', () => {
    const base = model(10);
    const other = new Map([['w', tf.zeros([7, 13])]]);
    expect(() => taskArithmetic(base, [base, base], [1])).toThrow(
      new MergebenchError('1 scaling factors given for 2 models: one per model is needed'),
    );
    expect(() => taskArithmetic(base, [base], Number.POSITIVE_INFINITY)).toThrow(
      'scaling factor must be a finite number, got Infinity',
    );
    expect(() => taskArithmetic(base, [], 1)).toThrow('no task vectors given');
    expect(() => taskArithmetic(base, [other], 1, ['pretrained', 'ft'])).toThrow(
      "model 'ft' does not have the keys of 'pretrained'",
    );
    expect(() => taskArithmeticTensor(base.get('w')!, [other.get('w')!], 1)).toThrow(
      'tensor shapes differ: [7, 13] and [13, 7]',
    );
    disposeStateDict(base);
    disposeStateDict(other);
  });
});
