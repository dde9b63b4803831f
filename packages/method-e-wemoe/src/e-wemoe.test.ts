import { findSites, PRETRAINED } from '@mergebench/core';
import { ToyModelPool } from '@mergebench/core/testing';
import { routerVariables, type SparseEnsembledLinear, type WeightEnsemblingMoE } from '@mergebench/moe';
import { describe, expect, it } from 'vitest';
import { runEWemoe } from './fixtures.test.helpers.js';

const HIDDEN = 16;
const TASKS = 3;

describe('e-wemoe', () => {
  it('gives every layer the same router: one set of router parameters', async () => {
    const { model, artifacts } = await runEWemoe({ max_steps: 2, lr: 0.01 });
    const sites = findSites(model, 'mlp');
    const moes = sites.map((site) => model.getSubmodule(site.path) as WeightEnsemblingMoE);
    expect(moes[1].router).toBe(moes[0].router);
    const routers = routerVariables(model);
    expect([...routers.keys()]).toEqual([
      'layers.0.mlp.router.fc1.weight',
      'layers.0.mlp.router.fc1.bias',
      'layers.0.mlp.router.fc2.weight',
      'layers.0.mlp.router.fc2.bias',
    ]);
    const oneRouter = HIDDEN * HIDDEN + HIDDEN + TASKS * HIDDEN + TASKS;
    expect(model.countParameters({ trainableOnly: true })).toBe(oneRouter);
    expect(artifacts).toMatchObject({ routerParameters: oneRouter, sharedRouter: true, tvPruneRatio: 0.9 });

    // Only the kept task-vector entries count: θ₀ of the MLPs dense, pruned weights sparse, biases dense.
    const pool = await ToyModelPool.create();
    const pretrained = await pool.loadModel(PRETRAINED);
    const mlpWeights = 2 * (HIDDEN * 2 * HIDDEN);
    const mlpBiases = 2 * HIDDEN + HIDDEN;
    const kept = moes.reduce(
      (n, moe) =>
        n + (moe.fc1 as SparseEnsembledLinear).keptEntries + (moe.fc2 as SparseEnsembledLinear).keptEntries,
      0,
    );
    expect(artifacts.keptTaskVectorEntries).toBe(kept);
    expect(artifacts.taskVectorEntries).toBe(2 * TASKS * mlpWeights);
    // ⌊512 · 10%⌋ + 1 = 52 kept of every 512-entry weight task vector (no ties in random values).
    expect(kept).toBe(2 * 2 * TASKS * 52);
    expect(model.countParameters()).toBe(
      pretrained.countParameters() + 2 * TASKS * mlpBiases + kept + oneRouter,
    );
    pretrained.dispose();
    model.dispose();
  });

  it('appends each layer’s encoding to the shared router’s input when asked', async () => {
    const { model, artifacts } = await runEWemoe({
      max_steps: 1,
      position_encoding: true,
      position_encoding_dim: 6,
    });
    const moe = model.getSubmodule('layers.1.mlp') as WeightEnsemblingMoE;
    expect(moe.router.inputDim).toBe(HIDDEN + 6);
    expect(artifacts.positionEncodingDim).toBe(6);
    // The encoding is fixed (not a parameter) and not saved.
    expect([...model.stateDict().keys()].some((key) => key.includes('layer_encoding'))).toBe(false);
    model.dispose();
  });

  it('refuses an odd encoding dimension in one line', async () => {
    await expect(runEWemoe({ position_encoding: true, position_encoding_dim: 5 })).rejects.toThrow(
      'method.position_encoding_dim 5 must be even (sine and cosine halves)',
    );
  });
});
