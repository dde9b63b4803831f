import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PreparedSplit } from './prepare.js';
import { ImageTaskData } from './task-data.js';

/** A split of `count` 2×2 images whose every pixel is the example's index (channels: 1 or 3). */
function split(count: number, channels: 1 | 3): PreparedSplit {
  const per = channels * 4;
  const pixels = Float32Array.from(
    { length: count * per },
    (_, i) => Math.floor(i / per) + (channels === 3 ? (i % per >= 4 ? 0.5 : 0) : 0),
  );
  return { channels, size: 2, pixels, labels: Int32Array.from({ length: count }, (_, i) => i % 2) };
}

const data = new ImageTaskData(
  [
    {
      name: 'gray',
      classNames: ['a', 'b'],
      splits: { train: split(10, 1), validation: split(0, 1), test: split(5, 1) },
    },
    {
      name: 'colour',
      classNames: ['a', 'b'],
      splits: { train: split(3, 3), validation: split(0, 3), test: split(3, 3) },
    },
  ],
  2,
);

async function collect(
  task: string,
  options: Parameters<ImageTaskData['batches']>[2],
  splitName: 'train' | 'test' = 'train',
) {
  const out: { inputs: number[][]; shape: number[]; labels?: number[] }[] = [];
  for await (const batch of data.batches(task, splitName, options)) {
    const values = batch.inputs.arraySync() as number[][][][];
    out.push({
      shape: batch.inputs.shape,
      inputs: values.map((image) => image.flat(2)),
      labels: batch.labels ? [...batch.labels.dataSync()] : undefined,
    });
    tf.dispose([batch.inputs, ...(batch.labels ? [batch.labels] : [])]);
  }
  return out;
}

describe('ImageTaskData', () => {
  it('serves [B, 3, S, S] batches, replicating grayscale to three channels', async () => {
    const batches = await collect('gray', { batchSize: 4 });
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 3, 2, 2],
      [4, 3, 2, 2],
      [2, 3, 2, 2],
    ]);
    expect(batches[0].inputs[1]).toEqual(new Array(12).fill(1));
    expect(batches[2].labels).toEqual([0, 1]);
    const colour = await collect('colour', { batchSize: 3 });
    expect(colour[0].inputs[2]).toEqual([2, 2, 2, 2, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
  });

  it('shuffles with a seed, the same way every time, covering every example once', async () => {
    const first = (await collect('gray', { batchSize: 10, shuffleSeed: 3 }))[0].inputs.map((x) => x[0]);
    const again = (await collect('gray', { batchSize: 10, shuffleSeed: 3 }))[0].inputs.map((x) => x[0]);
    const other = (await collect('gray', { batchSize: 10, shuffleSeed: 4 }))[0].inputs.map((x) => x[0]);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect([...first].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops at the limit, leaves labels out when asked, and sizes every split', async () => {
    const limited = await collect('gray', { batchSize: 2, limit: 3, unlabelled: true }, 'test');
    expect(limited.map((b) => b.shape[0])).toEqual([2, 1]);
    expect(limited.every((b) => b.labels === undefined)).toBe(true);
    expect([data.size('gray', 'train'), data.size('gray', 'validation'), data.size('gray', 'test')]).toEqual([
      10, 0, 5,
    ]);
    expect(data.numClasses('colour')).toBe(2);
  });

  it('names the tasks it has when asked for another', () => {
    expect(() => data.size('svhn', 'test')).toThrow(/^unknown task 'svhn'; available: gray, colour$/);
  });

  it('leaves no tensor behind once the consumer disposes its batches', async () => {
    const before = tf.memory().numTensors;
    await collect('colour', { batchSize: 2, shuffleSeed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
