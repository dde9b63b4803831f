import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentRegistry, MergebenchError, registerPlugin, resolveRun, runProgram } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

// FusionBench's command line for WEMoE, with its pools replaced by the built-in toy ones.
const FUSIONBENCH = ['method=wemoe/weight_ensembling_moe', 'method.name=clip_weight_ensembling_moe'];
const TOY = ['modelpool=toy', 'taskpool=toy', 'backend=cpu'];

function resolve(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  return resolveRun({ cwd: mkdtempSync(join(tmpdir(), 'wemoe-fb-')), registry, overrides });
}

describe("FusionBench's names for WEMoE", () => {
  it('resolve to wemoe with FusionBench’s values and the overrides', async () => {
    const { method, config } = await resolve([
      ...FUSIONBENCH,
      ...TOY,
      'method.max_steps=5',
      'print_config=false',
    ]);
    expect(config.method.name).toBe('wemoe');
    expect(method.params).toMatchObject({
      init_lambda: 0.3,
      router_hidden_layers: 2,
      batch_reduce: true,
      lr: 1e-4,
      max_steps: 5,
      batch_size: 16,
      checkpoint: null,
    });
  });

  it('accept FusionBench settings that change nothing here and refuse the others with a hint', async () => {
    const { method } = await resolve([
      ...FUSIONBENCH,
      ...TOY,
      'method.use_grad_accumulate=false',
      'method.devices=1',
    ]);
    expect(method.params).not.toHaveProperty('use_grad_accumulate');
    await expect(resolve([...FUSIONBENCH, ...TOY, 'method.save_checkpoint=outputs/we.ckpt'])).rejects.toThrow(
      new MergebenchError(
        "method.save_checkpoint: not supported here; the routers are always written to routers.safetensors in the run's folder; give that file as checkpoint to reuse them",
      ),
    );
    await expect(resolve([...FUSIONBENCH, ...TOY, 'method.devices=4'])).rejects.toThrow(
      /^method\.devices: not supported here; runs use one device/,
    );
  });

  it('run end to end', async () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd: mkdtempSync(join(tmpdir(), 'wemoe-fb-run-')),
      registry,
      overrides: [...FUSIONBENCH, ...TOY, 'method.max_steps=2', 'method.progress=false', 'run_name=fb'],
    });
    expect(report.method).toMatchObject({ name: 'wemoe', params: { max_steps: 2, batch_reduce: true } });
  });
});
