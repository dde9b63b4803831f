import { join } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { preprocessImage } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EUROSAT } from '../fixtures.test.helpers.js';
import { ClipTaskData } from './clip-task-data.js';
import { decodeRgb } from './decode-image.js';
import { limitSource } from './limited-source.js';
import { ParquetSplit } from './parquet-split.js';

async function eurosatData(numClasses = 10, limit: number | null = null): Promise<ClipTaskData> {
  const shards = ['data/test-00000-of-00002.parquet', 'data/test-00001-of-00002.parquet'].map((name) => ({
    path: join(EUROSAT, name),
    name,
  }));
  const test = limitSource(await ParquetSplit.open(shards, 'image', 'label'), limit);
  return new ClipTaskData(
    [
      {
        name: 'eurosat',
        numClasses,
        splits: { test: { source: test }, train: { error: new MergebenchError('no train') } },
      },
    ],
    32,
  );
}

async function collect(data: ClipTaskData, options: Parameters<ClipTaskData['batches']>[2]) {
  const shapes: number[][] = [];
  const labels: number[] = [];
  let unlabelled = 0;
  for await (const batch of data.batches('eurosat', 'test', options)) {
    shapes.push(batch.inputs.shape);
    if (batch.labels) labels.push(...(await batch.labels.data()));
    else unlabelled += 1;
    tf.dispose([batch.inputs, ...(batch.labels ? [batch.labels] : [])]);
  }
  return { shapes, labels, unlabelled };
}

describe('ClipTaskData', () => {
  it('streams CLIP pixel values [B, 3, S, S] with the labels in file order', async () => {
    const data = await eurosatData();
    expect(data.size('eurosat', 'test')).toBe(12);
    const { shapes, labels } = await collect(data, { batchSize: 5 });
    expect(shapes).toEqual([
      [5, 3, 32, 32],
      [5, 3, 32, 32],
      [2, 3, 32, 32],
    ]);
    expect(labels).toEqual([1, 4, 7, 0, 3, 6, 9, 2, 5, 8, 1, 4]);
  });

  it('preprocesses each image as CLIPImageProcessor does, grayscale and palette PNGs as RGB', async () => {
    const data = await eurosatData();
    const split = await ParquetSplit.open(
      [{ path: join(EUROSAT, 'data/test-00000-of-00002.parquet'), name: 'test-0' }],
      'image',
      'label',
    );
    const examples = [...(await split.readBlock(0)), ...(await split.readBlock(1))];
    const iterator = data.batches('eurosat', 'test', { batchSize: 6 })[Symbol.asyncIterator]();
    const { value } = await iterator.next();
    await iterator.return?.();
    for (const [i, example] of examples.entries()) {
      const rgb = await decodeRgb(example.bytes, example.where);
      const expected = preprocessImage(rgb.data, rgb.width, rgb.height, { size: 32 });
      const got = value.inputs.slice([i, 0, 0, 0], [1, 3, 32, 32]).reshape([3, 32, 32]);
      expect(Array.from(await got.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([expected, got]);
    }
    tf.dispose([value.inputs, value.labels]);
    // Row 2 is a grayscale PNG: every channel holds the gray value, as Pillow's convert('RGB') gives.
    const gray = await decodeRgb(examples[2].bytes, 'row 2');
    const { data: luminance } = await sharp(examples[2].bytes)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(gray.data.length).toBe(luminance.length * 3);
    for (let p = 0; p < luminance.length; p += 97) {
      expect([gray.data[p * 3], gray.data[p * 3 + 1], gray.data[p * 3 + 2]]).toEqual([
        luminance[p],
        luminance[p],
        luminance[p],
      ]);
    }
  });

  it('shuffles by blocks with a seed, serves every example once, and stops at a limit', async () => {
    const data = await eurosatData();
    const first = await collect(data, { batchSize: 4, shuffleSeed: 3 });
    const again = await collect(data, { batchSize: 4, shuffleSeed: 3 });
    const other = await collect(data, { batchSize: 4, shuffleSeed: 4 });
    expect(first.labels).toEqual(again.labels);
    expect([...first.labels].sort()).toEqual([1, 4, 7, 0, 3, 6, 9, 2, 5, 8, 1, 4].sort());
    expect(other.labels).not.toEqual(first.labels);
    const limited = await collect(data, { batchSize: 4, limit: 6, unlabelled: true });
    expect(limited.shapes).toEqual([
      [4, 3, 32, 32],
      [2, 3, 32, 32],
    ]);
    expect(limited.unlabelled).toBe(2);
    const capped = await eurosatData(10, 7);
    expect(capped.size('eurosat', 'test')).toBe(7);
    expect((await collect(capped, { batchSize: 100 })).labels).toEqual([1, 4, 7, 0, 3, 6, 9]);
  });

  it('names the shard and row of a label beyond the classes, and raises the error of a missing split', async () => {
    const data = await eurosatData(9);
    await expect(collect(data, { batchSize: 4 })).rejects.toThrow(
      "data/test-00000-of-00002.parquet row 6: label 9 of task 'eurosat' is not one of its 9 classes (0..8)",
    );
    expect(() => data.size('eurosat', 'train')).toThrow('no train');
    expect(() => data.size('eurosat', 'validation')).toThrow(
      "task 'eurosat' has no validation split configured",
    );
    expect(() => data.size('dtd', 'test')).toThrow("unknown task 'dtd'; available: eurosat");
  });

  it('names the shard and row of an image that does not decode', async () => {
    await expect(
      decodeRgb(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'data/test-0.parquet row 4'),
    ).rejects.toThrow(/^data\/test-0.parquet row 4: cannot decode the image \(/);
    const jpeg = (
      await (
        await ParquetSplit.open(
          [{ path: join(EUROSAT, 'data/test-00000-of-00002.parquet'), name: 'a' }],
          'image',
          'label',
        )
      ).readBlock(0)
    )[0].bytes;
    await expect(decodeRgb(jpeg.subarray(0, jpeg.length / 2), 'shard row 0')).rejects.toThrow(
      /^shard row 0: cannot decode the image/,
    );
  });
});
