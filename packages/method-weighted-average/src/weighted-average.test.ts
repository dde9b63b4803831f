import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  registerPlugin,
  runProgram,
  stateDictDifference,
  WeightsPool,
} from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { mergeWeightedAverage, resolveModelWeights } from './index.js';

const CASE = fileURLToPath(new URL('../fixtures/random/', import.meta.url));
const { results } = JSON.parse(readFileSync(path.join(CASE, 'case.json'), 'utf8')) as {
  results: { params: { weights: number[]; normalize: boolean }; expected: string }[];
};

function runWith(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  return runProgram({
    cwd: mkdtempSync(path.join(tmpdir(), 'mb-wavg-')),
    registry,
    overrides: ['method=weighted-average', 'modelpool=toy', 'taskpool=toy', 'backend=cpu', ...overrides],
  });
}

describe('parity with the PyTorch reference (tools/reference/static_merge_fixtures.py)', () => {
  it.each(results.map((r, i) => ({ ...r, i, name: JSON.stringify(r.params) })))(
    '$name',
    async ({ params, i }) => {
      const pool = await WeightsPool.fromFolder(path.join(CASE, 'models'));
      const expected = await (await WeightsPool.fromFolder(path.join(CASE, 'expected'))).loadModel(String(i));
      // The same weights as a list and by name.
      const byName = Object.fromEntries(pool.modelNames.map((name, j) => [name, params.weights[j]]));
      for (const weights of [params.weights, byName]) {
        const model = await mergeWeightedAverage(pool, { weights, normalize: params.normalize });
        expect(stateDictDifference(model.stateDict(), expected.stateDict()).maxRelative).toBeLessThanOrEqual(
          1e-5,
        );
        model.dispose();
      }
      expected.dispose();
    },
  );
});

describe('errors a user can cause', () => {
  const names = ['a', 'b', 'c'];
  it.each([
    [
      [1, 2],
      'method weighted-average: weights has 2 entries for 3 models (a, b, c): one weight per model is needed',
    ],
    [[1, -2, 3], "method weighted-average: the weight of model 'b' is -2; expected a non-negative number"],
    [
      [1, 2, 'x'],
      'method weighted-average: the weight of model \'c\' is "x"; expected a non-negative number',
    ],
    [
      [1, Number.NaN, 1],
      "method weighted-average: the weight of model 'b' is NaN; expected a non-negative number",
    ],
    [{ a: 1, b: 1, d: 1 }, "method weighted-average: weights names unknown model 'd'; models: a, b, c"],
    [{ a: 1, b: 1 }, "method weighted-average: weights has no weight for model 'c'"],
    [
      [0, 0, 0],
      'method weighted-average: the weights sum to 0 and cannot be normalized; give a model a positive weight or set normalize to false',
    ],
  ])('%j', (weights, message) => {
    expect(() => resolveModelWeights(names, weights as never, true)).toThrow(message);
  });

  it('accepts zero weights without normalizing, and weighs every model 1 without weights', () => {
    expect(resolveModelWeights(names, [0, 0, 0], false)).toEqual([0, 0, 0]);
    expect(resolveModelWeights(names, null, true)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(resolveModelWeights(names, { c: 2, a: 1, b: 1 }, true)).toEqual([0.25, 0.25, 0.5]);
  });

  it('reports wrong weights from the command line in one line', async () => {
    await expect(runWith(['method.weights=[1,2]'])).rejects.toThrow(
      'method weighted-average: weights has 2 entries for 3 models (toy0, toy1, toy2): one weight per model is needed',
    );
    await expect(runWith(['method.weights=heavy'])).rejects.toThrow(
      'method.weights: expected a list of numbers or a mapping of names to values or null, got "heavy"',
    );
  });
});

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin, { methodParams: { 'weighted-average': { weights: [3, 1, 1] } } });
  });

  it('runs end to end on the toy pools, with weights by name', async () => {
    const { report } = await runWith(['method.weights={toy0: 2, toy1: 1, toy2: 1}']);
    expect(report.method).toMatchObject({
      name: 'weighted-average',
      params: { weights: { toy0: 2, toy1: 1, toy2: 1 }, normalize: true },
    });
    expect(report.results!.average.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
  });
});
