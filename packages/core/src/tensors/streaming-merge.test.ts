import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { disposeStateDict } from './state-dict.js';
import { streamMerge } from './streaming-merge.js';
import { meanTensors } from './tensor-math.js';
import type { TensorInfo, TensorSource } from './types.js';

/**
 * A source that makes each tensor when it is read and records how many of the tensors it handed
 * out were still alive at every read.
 */
class CountingSource implements TensorSource {
  readonly reads: string[] = [];
  readonly aliveAtRead: number[] = [];
  private readonly handedOut: tf.Tensor[] = [];

  constructor(
    readonly origin: string,
    private readonly shapes: Record<string, number[]>,
    private readonly offset: number,
    private readonly readShape?: number[],
  ) {}

  keys(): string[] {
    return Object.keys(this.shapes);
  }

  info(key: string): TensorInfo {
    return { shape: this.shapes[key], storedDtype: 'F32' };
  }

  async read(key: string): Promise<tf.Tensor> {
    this.aliveAtRead.push(this.alive());
    this.reads.push(key);
    const shape = this.readShape ?? this.shapes[key];
    const t = tf.fill(shape, this.offset + this.keys().indexOf(key));
    this.handedOut.push(t);
    return t;
  }

  alive(): number {
    return this.handedOut.filter((t) => !t.isDisposed).length;
  }

  async close(): Promise<void> {}
}

const shapes = { a: [2, 3], b: [4], c: [] };
const models = () => [new CountingSource('m1', shapes, 10), new CountingSource('m2', shapes, 20)];

let live: number;
beforeEach(() => {
  live = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

describe('streamMerge', () => {
  it('reads one key at a time and holds at most one tensor per source', async () => {
    const sources = models();
    const pretrained = new CountingSource('base', shapes, 0);
    const seen: string[] = [];
    const out = await streamMerge({
      sources,
      pretrained,
      combine: (key, tensors, base) => {
        seen.push(key);
        expect(tensors).toHaveLength(2);
        for (const s of [...sources, pretrained]) expect(s.alive()).toBe(1);
        return tf.sub(meanTensors(tensors), base!);
      },
    });
    expect(seen).toEqual(['a', 'b', 'c']);
    for (const s of [...sources, pretrained]) {
      expect(s.reads).toEqual(['a', 'b', 'c']);
      expect(s.aliveAtRead).toEqual([0, 0, 0]);
      expect(s.alive()).toBe(0);
    }
    // key 'b' is the second key: mean(11, 21) − 1
    expect(Array.from(out.get('b')!.dataSync())).toEqual([15, 15, 15, 15]);
    expect(out.get('a')!.shape).toEqual([2, 3]);
    expect(out.get('c')!.shape).toEqual([]);
    disposeStateDict(out);
  });

  it('hands each output on as soon as it is made', async () => {
    const sources = models();
    const handed: [string, number][] = [];
    const result = await streamMerge({
      sources,
      combine: (_, [x, y]) => tf.add(x, y),
      onTensor: async (key, t) => {
        // Nothing is read ahead of the key being written.
        handed.push([key, sources[0].reads.length]);
        t.dispose();
      },
    });
    expect(result).toBeUndefined();
    expect(handed).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('merges only the requested keys, in their order', async () => {
    const sources = models();
    const out = await streamMerge({ sources, keys: ['c', 'a'], combine: (_, [x]) => x });
    expect([...out.keys()]).toEqual(['c', 'a']);
    expect(sources[1].reads).toEqual(['c', 'a']);
    // The returned input was cloned, so it outlived the disposal of the inputs.
    expect(out.get('c')!.dataSync()[0]).toBe(12);
    disposeStateDict(out);
  });

  it('checks keys and shapes before reading any data', async () => {
    const base = new CountingSource('base.safetensors', shapes, 0);
    const wrongShape = new CountingSource('ft.safetensors', { ...shapes, b: [5] }, 0);
    await expect(
      streamMerge({ sources: [wrongShape], pretrained: base, combine: (_, [x]) => x }),
    ).rejects.toThrow(
      new MergebenchError(
        "model 'ft.safetensors': key 'b' has shape [5], expected [4] as in 'base.safetensors'",
      ),
    );
    const fewerKeys = new CountingSource('ft2', { a: [2, 3] }, 0);
    await expect(
      streamMerge({ sources: [fewerKeys], pretrained: base, combine: (_, [x]) => x }),
    ).rejects.toThrow("model 'ft2' does not have the keys of 'base.safetensors': missing keys b, c");
    await expect(streamMerge({ sources: [base], keys: ['a', 'zz'], combine: (_, [x]) => x })).rejects.toThrow(
      "model 'base.safetensors' lacks requested keys: zz",
    );
    await expect(streamMerge({ sources: [base], keys: ['a', 'a'], combine: (_, [x]) => x })).rejects.toThrow(
      'keys requested more than once: a',
    );
    await expect(streamMerge({ sources: [], combine: (_, [x]) => x })).rejects.toThrow(MergebenchError);
    expect([base, wrongShape, fewerKeys].flatMap((s) => s.reads)).toEqual([]);
  });

  it('rejects a tensor whose shape differs from its header', async () => {
    const liar = new CountingSource('liar', shapes, 0, [1]);
    await expect(streamMerge({ sources: [...models(), liar], combine: (_, [x]) => x })).rejects.toThrow(
      "liar: key 'a' was read with shape [1], but its header says [2, 3]",
    );
  });

  it('disposes inputs and outputs when combining fails', async () => {
    const sources = models();
    await expect(
      streamMerge({
        sources,
        combine: (key, [x, y]) => {
          if (key === 'b') throw new Error('cannot merge b');
          return tf.add(x, y);
        },
      }),
    ).rejects.toThrow('cannot merge b');
    for (const s of sources) expect(s.alive()).toBe(0);
  });

  it('disposes the tensors already read when another read fails', async () => {
    const sources = models();
    const failing: TensorSource = {
      origin: 'broken',
      keys: () => sources[1].keys(),
      info: (key) => sources[1].info(key),
      read: async () => {
        throw new MergebenchError('broken: truncated file');
      },
      close: async () => {},
    };
    await expect(streamMerge({ sources: [sources[0], failing], combine: (_, [x]) => x })).rejects.toThrow(
      'broken: truncated file',
    );
    expect(sources[0].alive()).toBe(0);
  });

  it('requires combine to return a tensor', async () => {
    await expect(
      streamMerge({ sources: models(), combine: () => undefined as unknown as tf.Tensor }),
    ).rejects.toThrow("merging key 'a' did not produce a tensor");
  });
});
