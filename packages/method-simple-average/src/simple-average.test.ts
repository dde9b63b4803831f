import { mkdtempSync, readdirSync } from 'node:fs';
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
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, { mergeSimpleAverage } from './index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('parity with the PyTorch reference (tools/reference/static_merge_fixtures.py)', () => {
  it.each(readdirSync(FIXTURES))('%s', async (name) => {
    const pool = await WeightsPool.fromFolder(path.join(FIXTURES, name, 'models'));
    const model = await mergeSimpleAverage(pool);
    const expected = await (await WeightsPool.fromFolder(path.join(FIXTURES, name, 'expected'))).loadModel(
      '0',
    );
    expect(stateDictDifference(model.stateDict(), expected.stateDict()).maxRelative).toBeLessThanOrEqual(
      1e-5,
    );
    model.dispose();
    expected.dispose();
  });
});

describe('errors a user can cause', () => {
  it('needs fine-tuned models, but not the pretrained one', async () => {
    const w = (v: number) => new Map([['w', tf.tensor1d([v])]]);
    await expect(
      mergeSimpleAverage(WeightsPool.fromStateDicts(new Map([['_pretrained_', w(1)]]))),
    ).rejects.toThrow('method simple-average: the model pool lists no fine-tuned models to merge');
    const model = await mergeSimpleAverage(
      WeightsPool.fromStateDicts(
        new Map([
          ['a', w(1)],
          ['b', w(2)],
        ]),
      ),
    );
    expect(model.stateDict().get('w')!.arraySync()).toEqual([1.5]);
    model.dispose();
  });

  it('names the model and the key when shapes differ', async () => {
    const pool = WeightsPool.fromStateDicts(
      new Map([
        ['a', new Map([['w', tf.zeros([2, 3])]])],
        ['b', new Map([['w', tf.zeros([3, 2])]])],
      ]),
    );
    await expect(mergeSimpleAverage(pool)).rejects.toThrow(
      "model 'model b': key 'w' has shape [3, 2], expected [2, 3] as in 'model a'",
    );
  });
});

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('runs end to end on the toy pools', async () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd: mkdtempSync(path.join(tmpdir(), 'mb-avg-')),
      registry,
      overrides: ['method=simple-average', 'modelpool=toy', 'taskpool=toy', 'backend=cpu'],
    });
    expect(report.method).toMatchObject({
      name: 'simple-average',
      package: '@mergebench/method-simple-average',
    });
    expect(report.results!.average.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
  });
});
