import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSuite } from './suite-file.js';

const suite = (name: string) => loadSuite(fileURLToPath(new URL(`../suites/${name}.yaml`, import.meta.url)));

describe("the WEMoE paper's other analyses as suite files", () => {
  it('generalisation: the merging runs hold out two tasks, the ceiling does not', () => {
    for (const [name, heldOut] of [
      ['generalization', 'held_out=["mnist","synthetic-colors"]'],
      ['clip-ta8-generalization', 'held_out=["mnist","eurosat"]'],
    ] as const) {
      const runs = suite(name).runs;
      const merging = runs.filter((run) => !['pretrained', 'individual'].includes(run.label));
      expect(merging.map((run) => run.label)).toEqual([
        'task-arithmetic',
        'ties',
        'adamerging-layer-wise',
        'wemoe (router_hidden_layers=0)',
        'wemoe (router_hidden_layers=2)',
      ]);
      for (const run of merging) expect(run.overrides).toContain(heldOut);
    }
  });

  it('λ sensitivity sweeps the scaling factor and init_lambda', () => {
    const labels = suite('lambda-sensitivity').runs.map((run) => run.label);
    expect(labels).toContain('task-arithmetic (scaling_factor=0.6)');
    expect(labels).toContain('wemoe (init_lambda=0.7)');
  });

  it('robustness: every method on clean images and under each of the seven corruptions', () => {
    for (const name of ['robustness', 'clip-ta8-robustness']) {
      const runs = suite(name).runs;
      const corruptions = new Set(
        runs.map((run) => run.overrides.find((o) => o.startsWith('taskpool.corruption='))),
      );
      expect(corruptions.size).toBe(8);
      expect(runs).toHaveLength(4 * 8);
    }
  });

  it('upscaling ablation: WEMoE and E-WEMoE over the three targets', () => {
    const labels = suite('upscaling-ablation').runs.map((run) => run.label);
    for (const method of ['wemoe', 'e-wemoe']) {
      for (const target of ['mlp', '"attention+mlp"', 'block'])
        expect(labels).toContain(`${method} (upscale_target=${target})`);
    }
  });
});
