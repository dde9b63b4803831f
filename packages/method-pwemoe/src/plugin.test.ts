import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

const toy = { upscale_attention: false, max_steps: 2, batch_size: 8, grid_points: 3, progress: false };

describe('the plugin', () => {
  it('passes the conformance checks, running every method on the toy pools', async () => {
    await checkPluginConformance(plugin, {
      methodParams: { 'pwemoe-ls': toy, 'pwemoe-epo': toy, 'task-arithmetic-family': { grid_points: 3 } },
    });
  });

  it('runs end to end through the program: a family with per-task accuracy and loss for every preference', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pwemoe-program-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd,
      registry,
      overrides: [
        'method=pwemoe-ls',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'run_name=p',
        'method.upscale_attention=false',
        'method.max_steps=2',
        'method.grid_points=3',
        'method.progress=false',
      ],
    });
    expect(report.resultKind).toBe('family');
    expect(report.family).toHaveLength(6);
    for (const member of report.family!) {
      expect(Object.keys(member.results.tasks)).toHaveLength(3);
      for (const metrics of Object.values(member.results.tasks)) {
        expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(metrics.loss)).toBe(true);
      }
    }
    expect(report.method.params).toMatchObject({ init_lambda: 0.3, alpha: 1, lr: 0.00001 });
  });
});
