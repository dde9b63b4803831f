import { findSites } from '@mergebench/core';
import type { BlockWeightEnsemblingMoE } from '@mergebench/moe';
import { describe, expect, it } from 'vitest';
import { runEWemoe } from './fixtures.test.helpers.js';

describe('e-wemoe upscale_target', () => {
  it('block: whole layers with pruned task vectors and one router shared by every layer', async () => {
    const { model, artifacts } = await runEWemoe({ upscale_target: 'block', max_steps: 1, lr: 0.01 });
    const moes = findSites(model, 'layer').map(
      (site) => model.getSubmodule(site.path) as BlockWeightEnsemblingMoE,
    );
    expect(moes).toHaveLength(2);
    expect(moes[1].router).toBe(moes[0].router);
    expect(artifacts).toMatchObject({
      upscaleTarget: 'block',
      upscaledSitesByKind: { layer: 2 },
      sharedRouter: true,
    });
    // Per tensor ⌊d·10/100⌋ entries survive (more only on ties), so the density is near 0.1.
    expect(artifacts.density as number).toBeGreaterThan(0.05);
    expect(artifacts.density as number).toBeLessThan(0.15);
    model.dispose();
  });
});
