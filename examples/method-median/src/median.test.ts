import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram, WeightsPool } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, { medianOfStack, mergeMedian } from './index.js';

const pool = (models: Record<string, number[]>) =>
  WeightsPool.fromStateDicts(
    new Map(Object.entries(models).map(([name, w]) => [name, new Map([['w', tf.tensor1d(w)]])])),
  );

describe('median merge', () => {
  it('takes the middle value per element, the mean of the two middle ones for an even count', () => {
    const odd = medianOfStack(
      tf.tensor2d([
        [1, 9, -3],
        [5, 2, 0],
        [3, 4, 8],
      ]),
    );
    expect(odd.arraySync()).toEqual([3, 4, 0]);
    const even = medianOfStack(tf.tensor3d([[[1, 10]], [[4, -2]], [[2, 0]], [[100, 3]]]));
    expect(even.shape).toEqual([1, 2]);
    expect(even.arraySync()).toEqual([[3, 1.5]]);
    tf.dispose([odd, even]);
  });

  it('merges a pool, ignoring the pretrained model and one outlying model', async () => {
    const model = await mergeMedian(
      pool({ _pretrained_: [50, 50], a: [1, 2], b: [1.5, 2.5], c: [1000, -1000] }),
    );
    expect(model.stateDict().get('w')!.arraySync()).toEqual([1.5, 2]);
    model.dispose();
  });

  it('needs fine-tuned models', async () => {
    await expect(mergeMedian(pool({ _pretrained_: [1] }))).rejects.toThrow(
      'method median: the model pool lists no fine-tuned models to merge',
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
      cwd: mkdtempSync(path.join(tmpdir(), 'mb-median-')),
      registry,
      overrides: ['method=median', 'modelpool=toy', 'taskpool=toy', 'backend=cpu'],
    });
    expect(report.method).toMatchObject({ name: 'median', package: '@mergebench/example-method-median' });
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
  });
});
