import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, resolveRun } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

function resolve(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  return resolveRun({
    cwd: mkdtempSync(join(tmpdir(), 'ties-fb-')),
    registry,
    overrides: [...overrides, 'modelpool=toy', 'taskpool=toy'],
  });
}

describe("FusionBench's names for TIES-merging", () => {
  it('method=ties_merging takes its parameters, remove_keys as exclude_keys', async () => {
    const { config, method } = await resolve([
      'method=ties_merging',
      'method.scaling_factor=0.4',
      'method.threshold=10',
      'method.remove_keys=[visual_projection.weight]',
    ]);
    expect(config.method.name).toBe('ties');
    expect(method.params).toEqual({
      scaling_factor: 0.4,
      threshold: 10,
      merge_func: 'sum',
      exclude_keys: ['visual_projection.weight'],
    });
  });

  it('refuses a parameter given under both names', async () => {
    await expect(
      resolve(['method=ties_merging', 'method.remove_keys=[a]', 'method.exclude_keys=[b]']),
    ).rejects.toThrow(/names the same parameter/);
  });
});
