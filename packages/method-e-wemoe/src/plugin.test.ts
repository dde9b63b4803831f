import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running e-wemoe on the toy pools', async () => {
    await checkPluginConformance(plugin, { methodParams: { 'e-wemoe': { max_steps: 3 } } });
  });

  it('runs end to end through the program from its preset', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'e-wemoe-program-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd,
      registry,
      overrides: [
        'method=e-wemoe',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'run_name=ew',
        'method.max_steps=3',
      ],
    });
    expect(report.method).toMatchObject({
      name: 'e-wemoe',
      package: '@mergebench/method-e-wemoe',
      params: { tv_prune_ratio: 0.9, position_encoding: false, router_hidden_layers: 2, max_steps: 3 },
    });
    expect(report.resultKind).toBe('upscaled');
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
    expect(report.parameters.trainable).toBe(16 * 16 + 16 + 3 * 16 + 3);
    expect(report.artifacts).toMatchObject({ steps: 3, sharedRouter: true });
  });
});
