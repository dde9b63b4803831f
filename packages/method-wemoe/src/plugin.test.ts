import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running wemoe on the toy pools', async () => {
    await checkPluginConformance(plugin, { methodParams: { wemoe: { max_steps: 3 } } });
  });

  it('runs end to end through the program from its preset, counting experts as frozen parameters', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wemoe-program-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report, runDir } = await runProgram({
      cwd,
      registry,
      overrides: [
        'method=wemoe',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'run_name=we',
        'method.max_steps=3',
      ],
    });
    expect(report.method).toMatchObject({
      name: 'wemoe',
      package: '@mergebench/method-wemoe',
      params: { init_lambda: 0.3, router_hidden_layers: 2, lr: 0.0001, max_steps: 3, batch_size: 16 },
    });
    expect(report.resultKind).toBe('upscaled');
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
    // Toy encoder: 2 layers, width 16, MLP 16 → 32 → 16, 3 tasks.
    const mlp = 16 * 32 + 32 + 32 * 16 + 16;
    const routers = 2 * (16 * 16 + 16 + 16 * 3 + 3);
    expect(report.parameters.trainable).toBe(routers);
    expect(report.parameters.all - routers - 2 * 4 * mlp).toBe(8 * 16 + 16 + 2 * (2 * 16) + 2 * 16);
    expect(readdirSync(runDir).sort()).toEqual(['history.csv', 'report.json', 'routers.safetensors']);
  });
});
