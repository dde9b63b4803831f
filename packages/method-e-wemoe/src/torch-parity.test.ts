import { gelu } from '@mergebench/core';
import { LinearTaskVectors, Router, SparseEnsembledLinear, WeightEnsemblingMoE } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fixture, linearValues, maxDifference, tensorOf } from './fixtures.test.helpers.js';
import { layerEncoding } from './layer-encoding.js';
import { keepPercent } from './prune-percent.js';

// Fixture: tools/reference/wemoe_fixtures.py (two sparse blocks sharing one router with a layer
// encoding, per-sample loop, torch autograd, float64). The router reads [encoding, hidden], the
// order of FusionBench's sparse_we_moe.py, so the fixture's router weights load as they are.
const TOLERANCE = 1e-4;
const { D, hidden, T, prune_ratio: pruneRatio, encoding_dim: encodingDim } = fixture.config;

describe('two sparse WE-MoE blocks sharing one router match PyTorch', () => {
  it('prunes as the fixture, encodes the layers as the fixture, and gives its outputs and gradients', () => {
    expect(fixture.config.router_input).toBe('encoding,hidden');
    const router = new Router({ inputDim: D + encodingDim, experts: T, depth: 2, initLambda: 0, seed: 1 });
    const weights = new Map(Object.entries(fixture.router).map(([key, t]) => [key, tensorOf(t)]));
    router.loadStateDict(weights);
    tf.dispose([...weights.values()]);
    const percent = keepPercent(pruneRatio);
    const blocks = fixture.layers.map((layer, index) => {
      expect(maxDifference(layerEncoding(index, encodingDim), layer.encoding.values)).toBeLessThan(1e-7);
      const linear = (fc: 'fc1' | 'fc2', inF: number, outF: number) => {
        const taskVectors = new LinearTaskVectors(
          inF,
          outF,
          linearValues(layer.pretrained, fc),
          layer.task_vectors.map((tau) => linearValues(tau, fc)),
        );
        const sparse = new SparseEnsembledLinear(taskVectors, percent);
        // The dense stack holds exactly the fixture's pruned task vectors.
        const blocks = sparse.taskWeightBlocks();
        layer.pruned_task_vectors.forEach((tau, t) => {
          expect(maxDifference(blocks[t], tau[`${fc}.weight`].values), `layer ${index} ${fc} τ${t}`).toBe(0);
        });
        tf.dispose(blocks);
        return sparse;
      };
      return new WeightEnsemblingMoE({
        router,
        fc1: linear('fc1', D, hidden),
        fc2: linear('fc2', hidden, D),
        activation: gelu,
        layerEncoding: layerEncoding(index, encodingDim),
      }).eval();
    });
    const x = tensorOf(fixture.x);
    const R = tensorOf(fixture.R);
    const run = (input: tf.Tensor) =>
      tf.tidy(() => blocks.reduce((h, block) => tf.add(h, block.forward(h)), input));

    const out = run(x);
    expect(maxDifference(out, fixture.out.values)).toBeLessThanOrEqual(TOLERANCE);
    const names = new Map([...router.namedParameters()].map(([key, v]) => [v.name, key]));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(run(x), R)) as tf.Scalar,
      router.trainableVariables(),
    );
    for (const [variable, grad] of Object.entries(grads)) {
      const key = names.get(variable)!;
      expect(maxDifference(grad, fixture.grads[key].values), key).toBeLessThanOrEqual(TOLERANCE);
    }
    const gradX = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(run(input), R)))(x);
    expect(maxDifference(gradX, fixture.grad_x.values)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([x, R, out, value, gradX, ...Object.values(grads)]);
    for (const block of blocks) block.dispose();
  });
});

describe('the shared router reads the layer encoding first, as FusionBench', () => {
  it('routes by the first P input columns when only those carry weight', () => {
    const P = 4;
    const d = 6;
    const router = new Router({ inputDim: P + d, experts: 2, depth: 1, initLambda: 0, seed: 3 });
    // Weight [T, P + d] in PyTorch's layout: only the first P columns (the encoding's) are nonzero.
    const weight = tf.tensor2d([
      [1, 2, 3, 4, 0, 0, 0, 0, 0, 0],
      [-1, 0.5, 0, 2, 0, 0, 0, 0, 0, 0],
    ]);
    const bias = tf.zeros([2]);
    router.loadStateDict(
      new Map([
        ['fc.weight', weight],
        ['fc.bias', bias],
      ]),
    );
    const dense = (f: number) =>
      new LinearTaskVectors(
        d,
        d,
        { weight: new Float32Array(d * d).fill(0.1 * f), bias: new Float32Array(d) },
        [1, 2].map((t) => ({ weight: new Float32Array(d * d).fill(0.01 * t), bias: new Float32Array(d) })),
      );
    const encoding = layerEncoding(3, P);
    const moe = new WeightEnsemblingMoE({
      router,
      fc1: new SparseEnsembledLinear(dense(1), 100),
      fc2: new SparseEnsembledLinear(dense(2), 100),
      activation: gelu,
      layerEncoding: encoding,
    }).eval();
    const hidden = tf.randomNormal([2, 3, d], 0, 1, 'float32', 7);
    const r = moe.routing(hidden);
    const expected = tf.matMul(tf.tensor2d(encoding, [1, P]), tf.slice(weight, [0, 0], [-1, P]), false, true);
    // Both samples get W[:, :P]·enc whatever their hidden states.
    expect(maxDifference(r, [...expected.dataSync(), ...expected.dataSync()])).toBeLessThan(1e-6);
    tf.dispose([weight, bias, hidden, r, expected]);
    moe.dispose();
  });
});
