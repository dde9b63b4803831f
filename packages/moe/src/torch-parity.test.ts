import { gelu } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DenseEnsembledLinear } from './dense-ensembled-linear.js';
import {
  linearValues,
  maxDifference,
  readFixture,
  tensorOf,
  type WemoeCase,
  type WemoeFixture,
} from './fixtures.test.helpers.js';
import { LinearTaskVectors } from './linear-task-vectors.js';
import { Router, type RouterDepth } from './router.js';
import { WeightEnsemblingMoE } from './we-moe.js';

// Fixtures: tools/reference/wemoe_fixtures.py (the paper's block with a per-sample loop, torch
// autograd, float64).
const TOLERANCE = 1e-4;
const fixture = readFixture<WemoeFixture>('we-moe.json');
const { D, hidden, T } = fixture.config;

function moeFor(depth: RouterDepth, expected: WemoeCase, batchReduce: boolean): WeightEnsemblingMoE {
  const linear = (fc: 'fc1' | 'fc2', inF: number, outF: number) =>
    new DenseEnsembledLinear(
      new LinearTaskVectors(
        inF,
        outF,
        linearValues(fixture.pretrained, fc),
        fixture.task_vectors.map((tau) => linearValues(tau, fc)),
      ),
    );
  const router = new Router({ inputDim: D, experts: T, depth, initLambda: 0, seed: 1 });
  const weights = new Map(Object.entries(expected.router).map(([key, t]) => [key, tensorOf(t)]));
  router.loadStateDict(weights);
  tf.dispose([...weights.values()]);
  return new WeightEnsemblingMoE({
    router,
    fc1: linear('fc1', D, hidden),
    fc2: linear('fc2', hidden, D),
    activation: gelu,
    batchReduce,
  });
}

const CASES = [
  ['depth-0', 0, false],
  ['depth-1', 1, false],
  ['depth-2', 2, false],
  ['depth-2-batch-reduce', 2, true],
] as const;

describe('the WE-MoE block matches the per-sample PyTorch block', () => {
  it.each(CASES)('%s: routing, outputs and gradients of sum(out·R)', (name, depth, batchReduce) => {
    const expected = fixture.cases[name];
    const moe = moeFor(depth, expected, batchReduce);
    // batch_reduce acts in training only; the other cases run as in evaluation.
    moe.train(batchReduce);
    const x = tensorOf(fixture.x);
    const R = tensorOf(fixture.R);
    const before = tf.memory().numTensors;

    const routing = moe.routing(x);
    expect(routing.shape).toEqual(expected.routing.shape);
    expect(maxDifference(routing, expected.routing)).toBeLessThanOrEqual(TOLERANCE);
    const out = moe.forward(x);
    expect(maxDifference(out, expected.out)).toBeLessThanOrEqual(TOLERANCE);

    const objective = () => tf.sum(tf.mul(moe.forward(x), R)) as tf.Scalar;
    const routers = moe.router.trainableVariables();
    const { value, grads } = tf.variableGrads(objective, routers);
    const namesByVariable = new Map([...moe.router.namedParameters()].map(([key, v]) => [v.name, key]));
    expect(
      Object.keys(grads)
        .map((n) => namesByVariable.get(n))
        .sort(),
    ).toEqual(Object.keys(expected.grads).sort());
    for (const [variable, grad] of Object.entries(grads)) {
      const key = namesByVariable.get(variable)!;
      expect(maxDifference(grad, expected.grads[key]), key).toBeLessThanOrEqual(TOLERANCE);
    }
    const gradX = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(moe.forward(input), R)))(x);
    expect(maxDifference(gradX, expected.grad_x)).toBeLessThanOrEqual(TOLERANCE);

    tf.dispose([routing, out, value, gradX, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, R]);
    moe.dispose();
  });
});
