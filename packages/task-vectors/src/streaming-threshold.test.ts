import type { StateDict, TensorSource } from '@mergebench/core';
import { disposeStateDict, MergebenchError, stateDictSource, sub } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamTopkThreshold, streamTopkThresholds } from './streaming-threshold.js';
import { topkThresholds } from './topk-mask.js';

/** Wraps a source to count reads and the tensors it handed out that are still alive. */
function counted(inner: TensorSource) {
  const handedOut: tf.Tensor[] = [];
  const alive = () => handedOut.filter((t) => !t.isDisposed).length;
  const stats = { reads: 0, maxAliveAtRead: 0, alive };
  const source: TensorSource = {
    origin: inner.origin,
    keys: () => inner.keys(),
    info: (key) => inner.info(key),
    read: async (key) => {
      stats.reads++;
      stats.maxAliveAtRead = Math.max(stats.maxAliveAtRead, alive());
      const t = await inner.read(key);
      handedOut.push(t);
      return t;
    },
    close: () => inner.close(),
  };
  return { source, stats };
}

const model = (seed: number): StateDict =>
  new Map<string, tf.Tensor>([
    ['w', tf.randomNormal([31, 17], 0, 1, 'float32', seed)],
    ['b', tf.randomNormal([17], 0, 0.1, 'float32', seed + 1)],
    ['ids', tf.tensor([0, 1, 2], [3], 'int32')],
    ['scale', tf.scalar(seed)],
  ]);

let live: number;
beforeEach(() => {
  live = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

describe('streamTopkThresholds', () => {
  it('equals the in-memory whole-model thresholds of the task vectors', async () => {
    const base = model(1);
    const tuned = [model(2), model(3), model(4)];
    const taus = tuned.map((sd) => sub(sd, base));
    const fts = tuned.map((sd, i) => counted(stateDictSource(sd, `ft${i}`)));
    const pre = counted(stateDictSource(base, 'base'));
    const ks = [1, 10, 20, 50, 99];
    for (const k of ks) {
      const streamed = await streamTopkThresholds({
        sources: fts.map((ft) => ft.source),
        pretrained: pre.source,
        k,
      });
      expect(streamed, `k=${k}`).toEqual(taus.map((tau) => topkThresholds(tau, k, 'model').get('w')));
    }
    // Two passes over four keys per call, every source read once per key and pass, and one
    // tensor per source alive at a time.
    for (const { stats } of [...fts, pre]) {
      expect(stats.reads).toBe(ks.length * 2 * 4);
      expect(stats.maxAliveAtRead).toBe(0);
      expect(stats.alive()).toBe(0);
    }
    for (const sd of [base, ...tuned, ...taus]) disposeStateDict(sd);
  });

  it('works on models alone and on a subset of keys', async () => {
    const tuned = model(3);
    const sources = [stateDictSource(tuned, 'ft')];
    expect(await streamTopkThreshold({ source: sources[0], k: 20 })).toBe(
      topkThresholds(tuned, 20, 'model').get('w'),
    );
    expect(await streamTopkThresholds({ sources, k: 20 })).toEqual([
      topkThresholds(tuned, 20, 'model').get('w'),
    ]);
    const subset = new Map([...tuned].filter(([key]) => key === 'w' || key === 'b'));
    expect(await streamTopkThresholds({ sources, k: 20, keys: ['w', 'b'] })).toEqual([
      topkThresholds(subset, 20, 'model').get('w'),
    ]);
    disposeStateDict(tuned);
  });

  it('keeps everything at k = 100 without reading', async () => {
    const tuned = model(4);
    const ft = counted(stateDictSource(tuned, 'ft'));
    expect(await streamTopkThresholds({ sources: [ft.source, ft.source], k: 100 })).toEqual([0, 0]);
    expect(ft.stats.reads).toBe(0);
    disposeStateDict(tuned);
  });

  it('names the key and the models of a task vector holding NaN', async () => {
    const base = model(5);
    const tuned = model(6);
    tuned.get('b')!.dispose();
    tuned.set('b', tf.fill([17], Number.NaN));
    await expect(
      streamTopkThresholds({
        sources: [stateDictSource(base, 'ok.safetensors'), stateDictSource(tuned, 'ft.safetensors')],
        pretrained: stateDictSource(base, 'base.safetensors'),
        k: 10,
      }),
    ).rejects.toThrow(
      new MergebenchError(
        "key 'b' of the task vector ft.safetensors − base.safetensors contains NaN at element 0: magnitudes must be numbers",
      ),
    );
    for (const sd of [base, tuned]) disposeStateDict(sd);
  });

  it('checks the sources agree before reading', async () => {
    const base = model(7);
    const other = new Map([['w', tf.zeros([17, 31])]]);
    const pre = counted(stateDictSource(base, 'base'));
    await expect(
      streamTopkThresholds({
        sources: [stateDictSource(other, 'ft')],
        pretrained: pre.source,
        k: 10,
        keys: ['w'],
      }),
    ).rejects.toThrow("model 'ft': key 'w' has shape [17, 31], expected [31, 17] as in 'base'");
    await expect(streamTopkThresholds({ sources: [], k: 10 })).rejects.toThrow(MergebenchError);
    expect(pre.stats.reads).toBe(0);
    for (const sd of [base, other]) disposeStateDict(sd);
  });
});
