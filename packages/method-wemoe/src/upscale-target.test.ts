import { MergebenchError } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { wemoe } from './components.js';
import { features, runMethod, toyInputs, world } from './run.test.helpers.js';

describe('wemoe upscale_target', () => {
  it('block: every layer becomes one MoE over all its parameters, the routers train', async () => {
    const { model, artifacts } = await runMethod(wemoe, { upscale_target: 'block', lr: 0.01, max_steps: 2 });
    const { layers, hidden } = world.config.model;
    const layerParameters = 2 * hidden + (hidden * 2 * hidden + 2 * hidden) + (2 * hidden * hidden + hidden);
    const tasks = world.taskNames.length;
    expect(artifacts).toMatchObject({
      upscaleTarget: 'block',
      upscaledSites: layers,
      upscaledSitesByKind: { layer: layers },
      // θ₀ and T task vectors of every parameter of every layer.
      expertParameters: layers * (tasks + 1) * layerParameters,
    });
    expect(model.countParameters({ trainableOnly: true })).toBe(artifacts.routerParameters);
    const x = toyInputs();
    expect(features(model, x).every(Number.isFinite)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('mlp is the default and gives the MLP sites only', async () => {
    const { model, artifacts } = await runMethod(wemoe, { max_steps: 0 });
    expect(artifacts).toMatchObject({ upscaleTarget: 'mlp', upscaledSitesByKind: { mlp: 2 } });
    model.dispose();
  });

  it('an unknown site kind, or one the model does not declare, is one clear line before any work', async () => {
    await expect(runMethod(wemoe, { upscale_target: 'attention+ffn' })).rejects.toThrow(
      /method\.upscale_target: unknown site kind 'ffn' in 'attention\+ffn'/,
    );
    const error = await runMethod(wemoe, { upscale_target: 'attention+mlp', max_steps: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(MergebenchError);
    expect(error.message).toMatch(/declares no 'attention' sites \(it has: layer, mlp\)/);
    await expect(runMethod(wemoe, { upscale_target: 'block+mlp', max_steps: 0 })).rejects.toThrow(
      /the mlp site 'layers.0.mlp' lies inside the layer site 'layers.0'/,
    );
  });
});
