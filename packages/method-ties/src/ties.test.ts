import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  PRETRAINED,
  registerPlugin,
  runProgram,
  stateDictDifference,
  WeightsPool,
} from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import type { CombineRule } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, { mergeTies, thresholdPercent } from './index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface FixtureResult {
  readonly params: {
    scaling_factor: number;
    threshold: number;
    merge_func: CombineRule;
    exclude_keys: string[];
  };
  readonly expected: string;
  /** float32 bit patterns */
  readonly thresholds: number[];
  readonly majority_sign: number;
}

const cases = readdirSync(FIXTURES).map((name) => ({
  name,
  ...(JSON.parse(readFileSync(path.join(FIXTURES, name, 'case.json'), 'utf8')) as {
    results: FixtureResult[];
  }),
}));

const fromBits = (bits: number[]) => Array.from(new Float32Array(Uint32Array.from(bits).buffer));

function runProgramWith(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  const cwd = mkdtempSync(path.join(tmpdir(), 'mb-ties-'));
  return runProgram({
    cwd,
    registry,
    overrides: ['method=ties', 'modelpool=toy', 'taskpool=toy', 'backend=cpu', ...overrides],
  });
}

describe('parity with the PyTorch reference (tools/reference/static_merge_fixtures.py)', () => {
  const runs = cases.flatMap((c) =>
    c.results.map((result, i) => ({ name: `${c.name} #${i} ${JSON.stringify(result.params)}`, c, result })),
  );
  it.each(runs)('$name', async ({ c, result }) => {
    const { params } = result;
    const pool = await WeightsPool.fromFolder(path.join(FIXTURES, c.name, 'models'));
    const { model, report } = await mergeTies(pool, {
      scalingFactor: params.scaling_factor,
      threshold: params.threshold,
      mergeFunc: params.merge_func,
      excludeKeys: params.exclude_keys,
    });
    const expected = await (await WeightsPool.fromFolder(path.join(FIXTURES, c.name, 'expected'))).loadModel(
      path.basename(result.expected, '.safetensors'),
    );
    expect(stateDictDifference(model.stateDict(), expected.stateDict()).maxRelative).toBeLessThanOrEqual(
      1e-5,
    );
    expect(report.thresholds).toEqual(fromBits(result.thresholds));
    expect(report.majoritySign).toBe(result.majority_sign);
    model.dispose();
    expected.dispose();
  });

  it('gives cancelling coordinates the majority sign, and counts them', async () => {
    for (const name of ['cancel-positive', 'cancel-negative', 'cancel-balanced']) {
      const pool = await WeightsPool.fromFolder(path.join(FIXTURES, name, 'models'));
      const { model, report } = await mergeTies(pool, { threshold: 100 });
      expect(report.cancelledCoordinates, name).toBeGreaterThanOrEqual(3);
      model.dispose();
    }
  });
});

describe('threshold as FusionBench reads it', () => {
  it('takes values up to 1 as fractions: 0.2 keeps what 20 keeps', async () => {
    expect([thresholdPercent(0.2), thresholdPercent(1), thresholdPercent(20), thresholdPercent(1.5)]).toEqual(
      [20, 100, 20, 1.5],
    );
    const pool = await WeightsPool.fromFolder(path.join(FIXTURES, 'cancel-balanced', 'models'));
    const asFraction = await mergeTies(pool, { threshold: 0.2 });
    const asPercent = await mergeTies(pool, { threshold: 20 });
    expect(asFraction.report.thresholds).toEqual(asPercent.report.thresholds);
    for (const [key, value] of asFraction.model.stateDict())
      expect(Array.from(value.dataSync())).toEqual(
        Array.from(asPercent.model.stateDict().get(key)!.dataSync()),
      );
    asFraction.model.dispose();
    asPercent.model.dispose();
  });
});

describe('errors a user can cause', () => {
  const tiny = (values: number[]) => new Map([['w', tf.tensor1d(values)]]);

  it('needs the pretrained model', async () => {
    const pool = WeightsPool.fromStateDicts(new Map([['a', tiny([1])]]));
    await expect(mergeTies(pool)).rejects.toThrow(
      'method ties: the model pool has no _pretrained_ model, which the task vectors θᵢ − θ₀ are taken from',
    );
  });

  it('needs fine-tuned models', async () => {
    const pool = WeightsPool.fromStateDicts(new Map([[PRETRAINED, tiny([1])]]));
    await expect(mergeTies(pool)).rejects.toThrow(
      'method ties: the model pool lists no fine-tuned models to merge',
    );
  });

  it('rejects a k outside (0, 100] and an unknown merge function', async () => {
    const pool = WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, tiny([1])],
        ['a', tiny([2])],
      ]),
    );
    await expect(mergeTies(pool, { threshold: 0 })).rejects.toThrow(
      'k must be a percentage in (0, 100], got 0',
    );
    await expect(runProgramWith(['method.threshold=120'])).rejects.toThrow(
      'method.threshold: expected a number in (0, 100], got 120',
    );
    await expect(runProgramWith(['method.merge_func=median'])).rejects.toThrow(
      'method.merge_func: expected one of "sum", "mean" or "max", got "median"',
    );
  });
});

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin, { methodParams: { ties: { merge_func: 'mean' } } });
  });

  it('runs end to end on the toy pools from its preset', async () => {
    const { report } = await runProgramWith(['method.threshold=10']);
    expect(report.method).toMatchObject({
      name: 'ties',
      params: { scaling_factor: 0.3, threshold: 10, merge_func: 'sum', exclude_keys: [] },
    });
    expect(report.results!.average.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
    const merge = (report.artifacts as { merge: { thresholds: number[]; majoritySign: number } }).merge;
    expect(merge.thresholds).toHaveLength(3);
    expect(merge.thresholds.every((t) => t > 0)).toBe(true);
    expect([-1, 0, 1]).toContain(merge.majoritySign);
  });
});
