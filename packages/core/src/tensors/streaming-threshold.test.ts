import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { stateDictSource } from './source.js';
import { disposeStateDict, sub } from './state-dict.js';
import { streamTopkThreshold } from './streaming-threshold.js';
import { topkThresholds } from './topk-mask.js';
import type { StateDict, TensorSource } from './types.js';

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

describe('streamTopkThreshold', () => {
  it('equals the in-memory whole-model threshold of the task vector', async () => {
    const base = model(1);
    const tuned = model(2);
    const tau = sub(tuned, base);
    const ft = counted(stateDictSource(tuned, 'ft'));
    const pre = counted(stateDictSource(base, 'base'));
    for (const k of [1, 10, 20, 50, 99]) {
      const streamed = await streamTopkThreshold({ source: ft.source, pretrained: pre.source, k });
      expect(streamed, `k=${k}`).toBe(topkThresholds(tau, k, 'model').get('w'));
    }
    // Two passes over four keys per call, one tensor per source alive at a time.
    expect(ft.stats.reads).toBe(5 * 2 * 4);
    expect(pre.stats.reads).toBe(5 * 2 * 4);
    expect(ft.stats.maxAliveAtRead).toBe(0);
    expect(pre.stats.maxAliveAtRead).toBe(0);
    for (const sd of [base, tuned, tau]) disposeStateDict(sd);
  });

  it('works on a model alone and on a subset of keys', async () => {
    const tuned = model(3);
    const source = stateDictSource(tuned, 'ft');
    expect(await streamTopkThreshold({ source, k: 20 })).toBe(topkThresholds(tuned, 20, 'model').get('w'));
    const subset = new Map([...tuned].filter(([key]) => key === 'w' || key === 'b'));
    expect(await streamTopkThreshold({ source, k: 20, keys: ['w', 'b'] })).toBe(
      topkThresholds(subset, 20, 'model').get('w'),
    );
    disposeStateDict(tuned);
  });

  it('keeps everything at k = 100 without reading', async () => {
    const tuned = model(4);
    const ft = counted(stateDictSource(tuned, 'ft'));
    expect(await streamTopkThreshold({ source: ft.source, k: 100 })).toBe(0);
    expect(ft.stats.reads).toBe(0);
    disposeStateDict(tuned);
  });

  it('names the key and the models of a task vector holding NaN', async () => {
    const base = model(5);
    const tuned = model(6);
    tuned.get('b')!.dispose();
    tuned.set('b', tf.fill([17], Number.NaN));
    await expect(
      streamTopkThreshold({
        source: stateDictSource(tuned, 'ft.safetensors'),
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
      streamTopkThreshold({ source: stateDictSource(other, 'ft'), pretrained: pre.source, k: 10, keys: ['w'] }),
    ).rejects.toThrow("model 'ft': key 'w' has shape [17, 31], expected [31, 17] as in 'base'");
    expect(pre.stats.reads).toBe(0);
    for (const sd of [base, other]) disposeStateDict(sd);
  });
});
