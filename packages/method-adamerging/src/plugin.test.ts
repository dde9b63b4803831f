import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running both methods on the toy pools', async () => {
    await checkPluginConformance(plugin, {
      methodParams: {
        'adamerging-task-wise': { max_steps: 3, save_state_every: 2 },
        'adamerging-layer-wise': { max_steps: 3 },
      },
    });
  });

  it('runs end to end through the program from its preset, keeping the coefficients in the report', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'adamerging-program-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report, runDir } = await runProgram({
      cwd,
      registry,
      overrides: [
        'method=adamerging-layer-wise',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'run_name=ada',
        'method.max_steps=4',
        'method.lr=0.01',
      ],
    });
    expect(report.method).toMatchObject({
      name: 'adamerging-layer-wise',
      package: '@mergebench/method-adamerging',
      params: { init_lambda: 0.3, max_steps: 4, batch_size: 16, clamp: false, save_state_every: 100 },
    });
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
    const artifacts = report.artifacts as Record<string, any>;
    expect(artifacts).toMatchObject({ granularity: 'layer-wise', steps: 4 });
    expect(Object.keys(artifacts.coefficients)).toEqual(['toy0', 'toy1', 'toy2']);
    expect(artifacts.coefficients.toy0).toHaveLength(artifacts.parameterNames.length);
    expect(readdirSync(runDir).sort()).toEqual([
      'coefficients.json',
      'history.csv',
      'merging_weights.safetensors',
      'report.json',
    ]);
    const saved = JSON.parse(readFileSync(join(runDir, 'coefficients.json'), 'utf8'));
    expect(saved.coefficients).toEqual(artifacts.coefficients);
  });
});
