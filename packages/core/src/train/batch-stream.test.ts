import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch, BatchOptions, Split, TaskData } from '../contracts/task-pool.js';
import { BatchStream } from './batch-stream.js';

/** A task whose example i has input i and label i % 3, so batches show which examples they hold. */
class Numbered implements TaskData {
  readonly taskNames = ['a', 'b'];
  calls: BatchOptions[] = [];
  constructor(private readonly n: number) {}
  size(): number {
    return this.n;
  }
  async *batches(_task: string, _split: Split, options: BatchOptions): AsyncIterable<Batch> {
    this.calls.push(options);
    const order = Array.from({ length: this.n }, (_, i) => i);
    if (options.shuffleSeed !== undefined) {
      // A seeded rotation stands in for a shuffle: enough to tell epochs and tasks apart.
      const shift = options.shuffleSeed % this.n;
      order.push(...order.splice(0, shift));
    }
    for (let s = 0; s < this.n; s += options.batchSize) {
      const ids = order.slice(s, s + options.batchSize);
      const inputs = tf.tensor1d(ids);
      yield options.unlabelled
        ? { inputs }
        : {
            inputs,
            labels: tf.tensor1d(
              ids.map((i) => i % 3),
              'int32',
            ),
          };
    }
  }
}

async function take(stream: BatchStream, count: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const batch = await stream.next();
    out.push(Array.from(batch.inputs.dataSync()));
    tf.dispose(batch.labels ? [batch.inputs, batch.labels] : [batch.inputs]);
  }
  return out;
}

describe('BatchStream', () => {
  it('runs endlessly, covering every example once per epoch in a new order each epoch', async () => {
    const data = new Numbered(10);
    const stream = new BatchStream(data, 'a', { split: 'test', batchSize: 4, seed: 1, unlabelled: true });
    const batches = await take(stream, 9); // three epochs of 4 + 4 + 2
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    const epochs = [batches.slice(0, 3).flat(), batches.slice(3, 6).flat(), batches.slice(6, 9).flat()];
    for (const e of epochs)
      expect([...e].sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(new Set(data.calls.map((c) => c.shuffleSeed)).size).toBe(3);
    expect(data.calls.every((c) => c.unlabelled === true && c.batchSize === 4)).toBe(true);
    await stream.close();
  });

  it('is reproducible from the seed and differs between tasks and seeds', async () => {
    const data = new Numbered(10);
    const first = (task: string, seed: number) =>
      take(new BatchStream(data, task, { split: 'train', batchSize: 5, seed }), 4);
    expect(await first('a', 1)).toEqual(await first('a', 1));
    expect(await first('a', 1)).not.toEqual(await first('b', 1));
    expect(await first('a', 1)).not.toEqual(await first('a', 2));
  });

  it('started at batch k continues the sequence of a stream that took k batches', async () => {
    const data = new Numbered(10);
    const options = { split: 'test' as const, batchSize: 3, seed: 5 };
    const whole = await take(new BatchStream(data, 'a', options), 12);
    for (const k of [0, 2, 4, 7]) {
      const resumed = await take(new BatchStream(data, 'a', { ...options, startBatch: k }), 12 - k);
      expect(resumed).toEqual(whole.slice(k));
    }
  });

  it('leaks no tensors and closes its iterator', async () => {
    const data = new Numbered(10);
    const before = tf.memory().numTensors;
    const stream = new BatchStream(data, 'a', { split: 'test', batchSize: 4, seed: 0, startBatch: 5 });
    await take(stream, 3);
    await stream.close();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an empty split and bad sizes', () => {
    expect(
      () => new BatchStream(new Numbered(0), 'a', { split: 'validation', batchSize: 2, seed: 0 }),
    ).toThrow(/^task 'a' has no examples in its 'validation' split$/);
    expect(() => new BatchStream(new Numbered(4), 'a', { split: 'test', batchSize: 0, seed: 0 })).toThrow(
      /batchSize 0 must be an integer ≥ 1/,
    );
  });
});
