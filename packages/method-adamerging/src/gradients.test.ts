import { createRng, Linear, type StateDict } from '@mergebench/core';
import { ToyEncoder } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mergedParameter } from './merged-parameter.js';
import { type Granularity, MergedWeights } from './merged-weights.js';
import { TaskVectors } from './task-vectors.js';

const TASKS = ['a', 'b'];

/** A small encoder with random θ₀ and task vectors, heads and inputs: well conditioned in float32. */
function smallWorld(granularity: Granularity) {
  const rng = createRng(11);
  const random = (shape: number[], scale: number) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
      shape,
    );
  const model = new ToyEncoder({ inputDim: 4, tokens: 3, hidden: 6, layers: 1 });
  const theta0: StateDict = new Map([...model.namedParameters()].map(([k, p]) => [k, random(p.shape, 0.5)]));
  model.loadStateDict(theta0);
  const stacks = new Map(
    [...theta0].map(([k, p]) => [
      k,
      Float32Array.from({ length: TASKS.length * p.size }, () => rng.normal() * 0.3),
    ]),
  );
  const taskVectors = TaskVectors.fromStacks(TASKS, stacks);
  const weights = new MergedWeights(model, taskVectors, granularity, 0.3);
  // Spread the coefficients so that the check is not at a symmetric point.
  tf.tidy(() =>
    weights.coefficients.assign(tf.add(weights.coefficients, random(weights.coefficients.shape, 0.1))),
  );
  const heads = TASKS.map(() => new Linear(6, 3, { seed: 5 }));
  const inputs = TASKS.map(() => random([5, 3, 4], 1));
  tf.dispose([...theta0.values()]);
  const loss = () => tf.addN(TASKS.map((_, t) => weights.entropy(heads[t], inputs[t]))) as tf.Scalar;
  const dispose = () => {
    weights.dispose();
    model.dispose();
    for (const head of heads) head.dispose();
    tf.dispose(inputs);
  };
  return { weights, loss, dispose };
}

describe('coefficient gradients', () => {
  it.each<Granularity>(['task-wise', 'layer-wise'])(
    '%s: agree with central finite differences of the summed entropy',
    (granularity) => {
      const { weights, loss, dispose } = smallWorld(granularity);
      const { grads } = tf.variableGrads(loss, [weights.coefficients]);
      const analytic = grads[weights.coefficients.name].dataSync();
      tf.dispose(Object.values(grads));
      expect(analytic.length).toBe(granularity === 'task-wise' ? 2 : 2 * weights.keys.length);

      // eps balances float32 rounding in the loss (~1e-7 / eps) against truncation (~eps²).
      const eps = 1e-2;
      const at = tf.clone(weights.coefficients);
      const lossAt = (index: number, delta: number) =>
        tf.tidy(() => {
          const shift = tf.oneHot(index, analytic.length).mul(delta).reshape(at.shape);
          weights.coefficients.assign(tf.add(at, shift));
          return loss().dataSync()[0];
        });
      for (let i = 0; i < analytic.length; i++) {
        const numeric = (lossAt(i, eps) - lossAt(i, -eps)) / (2 * eps);
        expect(Math.abs(numeric - analytic[i]), `coefficient ${i}`).toBeLessThan(
          1e-4 + 1e-2 * Math.abs(numeric),
        );
      }
      at.dispose();
      dispose();
    },
  );
});

describe('mergedParameter', () => {
  it('is θ₀ + Σᵢ λᵢτᵢ, and its gradient w.r.t. λᵢ is ⟨dy, τᵢ⟩', () => {
    const theta0 = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const stack = () =>
      tf.tensor2d([
        [1, 0, 0, 1],
        [0.5, -1, 2, 0],
      ]);
    const lambdas = tf.variable(tf.tensor1d([0.5, 2]));
    const dy = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(mergedParameter(theta0, lambdas, stack), dy)) as tf.Scalar,
      [lambdas],
    );
    const merged = tf.tidy(() => mergedParameter(theta0, lambdas, stack));
    expect(merged.arraySync()).toEqual([
      [1 + 0.5 + 1, 2 - 2],
      [3 + 4, 4 + 0.5],
    ]);
    expect(Array.from(grads[lambdas.name].dataSync())).toEqual([1 + 4, 0.5 - 2 + 6]);
    tf.dispose([value, merged, ...Object.values(grads)]);
    // The task vector stacks made inside the passes are freed with them.
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([theta0, lambdas, dy]);
  });
});
