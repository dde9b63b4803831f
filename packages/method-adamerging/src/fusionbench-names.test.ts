import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, resolveRun } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

const TOY = ['modelpool=toy', 'taskpool=toy', 'backend=cpu'];

function resolve(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  return resolveRun({ cwd: mkdtempSync(join(tmpdir(), 'adamerging-fb-')), registry, overrides });
}

describe("FusionBench's names for AdaMerging", () => {
  it('method=adamerging/clip is layer-wise AdaMerging with the reference values', async () => {
    const { config, method } = await resolve(['method=adamerging/clip', ...TOY]);
    expect(config.method.name).toBe('adamerging-layer-wise');
    expect(method.params).toMatchObject({
      init_lambda: 0.3,
      lr: 1e-3,
      max_steps: 1000,
      batch_size: 16,
      clamp: false,
    });
  });

  it('method.name=clip_task_wise_adamerging selects task-wise AdaMerging, with FusionBench’s parameter names', async () => {
    const { config, method } = await resolve([
      'method=adamerging/clip',
      'method.name=clip_task_wise_adamerging',
      'method.init_values=0.4',
      'method.clamp_weights=true',
      'method.max_steps=5',
      ...TOY,
    ]);
    expect(config.method.name).toBe('adamerging-task-wise');
    expect(method.params).toMatchObject({ init_lambda: 0.4, clamp: true, max_steps: 5 });
    expect(method.params).not.toHaveProperty('init_values');
  });

  it('refuses save_merging_weights, naming the file that is written instead', async () => {
    await expect(
      resolve(['method=adamerging/clip', 'method.save_merging_weights=merging_weights.pt', ...TOY]),
    ).rejects.toThrow(/^method\.save_merging_weights: not supported here; .*coefficients\.json/);
  });
});
