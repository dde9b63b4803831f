import type { StateDict, TensorSource } from '@mergebench/core';
import { disposeStateDict, mean, stateDictSource, weightedAverage, weightedSum } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskArithmeticRules, tiesRules } from './merge-rules.js';
import { taskArithmetic } from './task-vector.js';
import { mergeTaskVectors } from './task-vector-merge.js';

/** Wraps a source to record its reads and the most tensors it had handed out alive at once. */
function counted(inner: TensorSource) {
  const handedOut: tf.Tensor[] = [];
  const alive = () => handedOut.filter((t) => !t.isDisposed).length;
  const stats = { reads: [] as string[], maxAlive: 0, closed: false };
  const source: TensorSource = {
    origin: inner.origin,
    keys: () => inner.keys(),
    info: (key) => inner.info(key),
    read: async (key) => {
      stats.reads.push(key);
      const t = await inner.read(key);
      handedOut.push(t);
      stats.maxAlive = Math.max(stats.maxAlive, alive());
      return t;
    },
    close: async () => {
      stats.closed = true;
    },
  };
  return { source, stats };
}

const model = (seed: number): StateDict =>
  new Map<string, tf.Tensor>([
    ['w', tf.randomNormal([31, 17], 0, 1, 'float32', seed)],
    ['ids', tf.tensor([0, 1, 2], [3], 'int32')],
    ['head', tf.randomNormal([seed + 2], 0, 1, 'float32', seed + 1)],
    ['b', tf.randomNormal([17], 0, 0.1, 'float32', seed + 2)],
  ]);

/** Collects the outputs of a merge in the order they are handed over. */
function collector() {
  const out: StateDict = new Map();
  return { out, onTensor: (key: string, t: tf.Tensor) => void out.set(key, t) };
}

let live: number;
let dicts: StateDict[];
beforeEach(() => {
  live = tf.memory().numTensors;
  dicts = [model(1), model(2), model(3), model(4)];
});
afterEach(() => {
  for (const sd of dicts) disposeStateDict(sd);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

const sources = () => dicts.map((sd, i) => counted(stateDictSource(sd, i === 0 ? 'base' : `m${i}`)));

describe('mergeTaskVectors', () => {
  it('is task arithmetic bit for bit without trimming or election, and keeps integer buffers', async () => {
    // 'head' has a different shape in every model, so it must be excluded.
    const [base, ...tuned] = sources();
    const { out, onTensor } = collector();
    const report = await mergeTaskVectors({
      ...taskArithmeticRules(0.3, ['head']),
      pretrained: base.source,
      sources: tuned.map((t) => t.source),
      onTensor,
    });
    const strip = (sd: StateDict) => new Map([...sd].filter(([key]) => key !== 'head'));
    const reference = taskArithmetic(strip(dicts[0]), dicts.slice(1).map(strip), 0.3);
    expect([...out.keys()]).toEqual(['w', 'ids', 'head', 'b']);
    for (const key of ['w', 'b', 'ids'])
      expect(out.get(key)!.dataSync()).toEqual(reference.get(key)!.dataSync());
    expect(out.get('ids')!.dtype).toBe('int32');
    expect(out.get('head')!.dataSync()).toEqual(dicts[0].get('head')!.dataSync());
    expect(report).toEqual({
      mergedKeys: 2,
      mergedParameters: 31 * 17 + 17,
      keptKeys: ['ids', 'head'],
      unmatchedExcludePatterns: [],
    });
    disposeStateDict(out);
    disposeStateDict(reference);
  });

  it('streams: two keys per model at most (one merged, one read ahead), each output handed on as it is made', async () => {
    const all = sources();
    const [base, ...tuned] = all;
    const order: string[] = [];
    const report = await mergeTaskVectors({
      ...tiesRules({ scalingFactor: 0.3, percent: 20, combine: 'mean', excludeKeys: ['/^he/', 'nothing*'] }),
      pretrained: base.source,
      sources: tuned.map((t) => t.source),
      onTensor: (key, t) => {
        order.push(`${key}@${tuned[0].stats.reads.length}`);
        t.dispose();
      },
    });
    // Two threshold passes over the merged keys, then the merge pass, reading 'b' while 'w' is merged.
    expect(tuned[0].stats.reads).toEqual(['w', 'b', 'w', 'b', 'w', 'b']);
    expect(order).toEqual(['w@6', 'ids@6', 'head@6', 'b@6']);
    for (const { stats } of all) {
      expect(stats.maxAlive).toBe(2);
      expect(stats.closed).toBe(false);
    }
    expect(report.thresholds).toHaveLength(3);
    expect(report.unmatchedExcludePatterns).toEqual(['nothing*']);
  });

  it('holds only the keys whose entries cancel, and emits them last with the majority sign', async () => {
    const sd = (b: number[], w: number[]) =>
      new Map([
        ['b', tf.tensor1d(b)],
        ['w', tf.tensor1d(w)],
      ]);
    const pools = [sd([0, 0], [0, 0, 0]), sd([0.5, 0], [1, 1, 1]), sd([-0.5, 0], [2, 3, 1])];
    const { out, onTensor } = collector();
    const report = await mergeTaskVectors({
      ...tiesRules({ scalingFactor: 1, percent: 100, combine: 'sum' }),
      pretrained: stateDictSource(pools[0], 'base'),
      sources: pools.slice(1).map((p, i) => stateDictSource(p, `m${i}`)),
      onTensor,
    });
    // b: 0.5 − 0.5 cancels (held), 0 + 0 is no conflict; w: sums 3, 4, 2, all positive.
    expect([...out.keys()]).toEqual(['w', 'b']);
    expect(report.majoritySign).toBe(1);
    expect(report.cancelledCoordinates).toBe(1);
    expect(Array.from(out.get('w')!.dataSync())).toEqual([3, 4, 2]);
    expect(Array.from(out.get('b')!.dataSync())).toEqual([0.5, 0]);
    disposeStateDict(out);
    for (const p of pools) disposeStateDict(p);
  });

  it('rejects models whose merged keys differ, before reading any data', async () => {
    const [base, first] = sources();
    await expect(
      mergeTaskVectors({
        ...taskArithmeticRules(0.3),
        pretrained: base.source,
        sources: [first.source],
        onTensor: () => {},
      }),
    ).rejects.toThrow("model 'm1': key 'head' has shape [4], expected [3] as in 'base'");
    await expect(
      mergeTaskVectors({
        ...taskArithmeticRules(0.3),
        pretrained: base.source,
        sources: [],
        onTensor: () => {},
      }),
    ).rejects.toThrow('no fine-tuned models to merge: at least one is needed');
    await expect(
      mergeTaskVectors({
        ...taskArithmeticRules(Number.NaN),
        pretrained: base.source,
        sources: [first.source],
        onTensor: () => {},
      }),
    ).rejects.toThrow('scaling factor must be a finite number, got NaN');
    expect(base.stats.reads).toEqual([]);
  });
});

describe('weightedAverage', () => {
  it('is core mean without weights and core weightedSum with them, copying integer buffers', async () => {
    const same = dicts.map((sd) => new Map([...sd].filter(([key]) => key !== 'head')));
    for (const weights of [undefined, [0.1, 0.2, 0.3, 0.4]]) {
      const { out, onTensor } = collector();
      await weightedAverage({
        sources: same.map((sd, i) => stateDictSource(sd, `m${i}`)),
        weights,
        onTensor,
      });
      const reference = weights ? weightedSum(same, weights) : mean(same);
      for (const key of ['w', 'b']) expect(out.get(key)!.dataSync()).toEqual(reference.get(key)!.dataSync());
      expect(out.get('ids')!.dtype).toBe('int32');
      disposeStateDict(out);
      disposeStateDict(reference);
    }
    await expect(
      weightedAverage({
        sources: same.map((sd) => stateDictSource(sd, 'm')),
        weights: [1],
        onTensor: () => {},
      }),
    ).rejects.toThrow('1 weights given for 4 models: one weight per model is needed');
  });
});
