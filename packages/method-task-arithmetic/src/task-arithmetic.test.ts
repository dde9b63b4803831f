import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  memoryLogger,
  PRETRAINED,
  registerPlugin,
  runProgram,
  stateDictDifference,
  WeightsPool,
} from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, { mergeTaskArithmetic } from './index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface FixtureCase {
  readonly results: readonly {
    params: { scaling_factor: number; exclude_keys: string[] };
    expected: string;
  }[];
}

const cases = readdirSync(FIXTURES).map((name) => ({
  name,
  ...(JSON.parse(readFileSync(path.join(FIXTURES, name, 'case.json'), 'utf8')) as FixtureCase),
}));

const tiny = (values: Record<string, number[]>) =>
  new Map(Object.entries(values).map(([key, v]) => [key, tf.tensor1d(v)]));

describe('parity with the PyTorch reference (tools/reference/static_merge_fixtures.py)', () => {
  const runs = cases.flatMap((c) => c.results.map((result, i) => ({ name: `${c.name} #${i}`, c, result })));
  it.each(runs)('$name', async ({ c, result }) => {
    const pool = await WeightsPool.fromFolder(path.join(FIXTURES, c.name, 'models'));
    const { model } = await mergeTaskArithmetic(pool, {
      scalingFactor: result.params.scaling_factor,
      excludeKeys: result.params.exclude_keys,
    });
    const expected = await (await WeightsPool.fromFolder(path.join(FIXTURES, c.name, 'expected'))).loadModel(
      path.basename(result.expected, '.safetensors'),
    );
    expect(stateDictDifference(model.stateDict(), expected.stateDict()).maxRelative).toBeLessThanOrEqual(
      1e-5,
    );
    model.dispose();
    expected.dispose();
  });

  it('keeps excluded keys and integer buffers at the pretrained values, and reports them', async () => {
    const pool = await WeightsPool.fromFolder(path.join(FIXTURES, 'random', 'models'));
    const pretrained = await pool.loadModel(PRETRAINED);
    const { model, report } = await mergeTaskArithmetic(pool, { excludeKeys: ['head.*', '/norm/'] });
    for (const key of ['head.weight', 'layers.0.norm.weight', 'position_ids']) {
      expect(model.stateDict().get(key)!.arraySync()).toEqual(pretrained.stateDict().get(key)!.arraySync());
    }
    expect([...report.keptKeys].sort()).toEqual(['head.weight', 'layers.0.norm.weight', 'position_ids']);
    expect(report.mergedKeys).toBe(4);
    model.dispose();
    pretrained.dispose();
  });
});

describe('errors a user can cause', () => {
  it('needs the pretrained model', async () => {
    const pool = WeightsPool.fromStateDicts(new Map([['a', tiny({ w: [1] })]]));
    await expect(mergeTaskArithmetic(pool)).rejects.toThrow(
      'method task-arithmetic: the model pool has no _pretrained_ model, which the task vectors θᵢ − θ₀ are taken from',
    );
  });

  it('names the model and the key when keys or shapes differ', async () => {
    const pre = tiny({ w: [1, 2], b: [0] });
    const missing = WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, pre],
        ['a', tiny({ w: [1, 2], b: [1] })],
        ['b', tiny({ w: [1, 2] })],
      ]),
    );
    await expect(mergeTaskArithmetic(missing)).rejects.toThrow(
      "model 'model b' does not have the keys of '_pretrained_': missing keys b",
    );
    const shape = WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, pre],
        ['a', tiny({ w: [1, 2, 3], b: [1] })],
      ]),
    );
    await expect(mergeTaskArithmetic(shape)).rejects.toThrow(
      "model 'model a': key 'w' has shape [3], expected [2] as in '_pretrained_'",
    );
  });

  it('rejects an invalid exclude pattern and a non-number scaling factor', async () => {
    const pool = WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, tiny({ w: [1] })],
        ['a', tiny({ w: [2] })],
      ]),
    );
    await expect(mergeTaskArithmetic(pool, { excludeKeys: ['/(/'] })).rejects.toThrow(
      "method.exclude_keys[0]: '/(/' is not a valid regular expression (Invalid regular expression: /(/: Unterminated group)",
    );
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-ta-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    await expect(
      runProgram({
        cwd,
        registry,
        overrides: ['method=task-arithmetic', 'modelpool=toy', 'taskpool=toy', 'method.scaling_factor=much'],
      }),
    ).rejects.toThrow('method.scaling_factor: expected a number, got "much"');
  });
});

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('runs end to end on the toy pools from its preset, and warns about patterns that match nothing', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-ta-'));
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const logger = memoryLogger();
    const { report } = await runProgram({
      cwd,
      registry,
      logger,
      overrides: [
        'method=task-arithmetic',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'method.exclude_keys=[nothing.*]',
      ],
    });
    expect(report.method).toMatchObject({ name: 'task-arithmetic', params: { scaling_factor: 0.3 } });
    expect(report.resultKind).toBe('model');
    expect(report.results!.average.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
    expect(Object.keys(report.results!.tasks)).toEqual(['toy0', 'toy1', 'toy2']);
    expect(report.artifacts).toMatchObject({
      merge: { keptKeys: [], unmatchedExcludePatterns: ['nothing.*'] },
    });
    expect(logger.lines).toContain(
      'warning: method task-arithmetic: method.exclude_keys has patterns that match no parameter of the model: nothing.*',
    );
  });
});
