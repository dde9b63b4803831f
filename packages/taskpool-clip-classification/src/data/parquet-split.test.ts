import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EUROSAT, PCAM, tempDir, writeShard } from '../fixtures.test.helpers.js';
import { ParquetSplit } from './parquet-split.js';

const EUROSAT_TEST = ['data/test-00000-of-00002.parquet', 'data/test-00001-of-00002.parquet'].map((name) => ({
  path: join(EUROSAT, name),
  name,
}));

describe('ParquetSplit', () => {
  it('reads row counts from the footers and rows one row group at a time', async () => {
    const split = await ParquetSplit.open(EUROSAT_TEST, 'image', 'label');
    expect(split.blockSizes).toEqual([3, 3, 1, 3, 2]);
    const block = await split.readBlock(3);
    expect(block.map((e) => e.where)).toEqual([
      'data/test-00001-of-00002.parquet row 0',
      'data/test-00001-of-00002.parquet row 1',
      'data/test-00001-of-00002.parquet row 2',
    ]);
    expect(block.map((e) => e.label)).toEqual([2, 5, 8]);
    expect(block[0].bytes.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8])); // JPEG
    expect(block[1].bytes.subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47])); // PNG
    const { labels, where } = await split.labels();
    expect(Array.from(labels)).toEqual([1, 4, 7, 0, 3, 6, 9, 2, 5, 8, 1, 4]);
    expect(where(8)).toBe('data/test-00001-of-00002.parquet row 1');
  });

  it('reads boolean labels as 0 and 1', async () => {
    const name = 'data/test-00000-of-00001.parquet';
    const split = await ParquetSplit.open([{ path: join(PCAM, name), name }], 'image', 'label');
    expect(Array.from((await split.labels()).labels)).toEqual([0, 1, 0, 1]);
  });

  it('names the shard and the columns there when a column is missing', async () => {
    const file = join(tempDir(), 'test-00000-of-00001.parquet');
    writeShard(file, [{ bytes: new Uint8Array([1]), path: 'a.jpg' }], [0n], 'labels');
    await expect(
      ParquetSplit.open([{ path: file, name: 'data/test-0.parquet' }], 'image', 'label'),
    ).rejects.toThrow(
      "data/test-0.parquet: no column 'label' (the label column); columns there: image, labels",
    );
    await expect(ParquetSplit.open([{ path: file, name: 'x.parquet' }], 'img', 'labels')).rejects.toThrow(
      "x.parquet: no column 'img' (the image column); columns there: image, labels",
    );
  });

  it('names the shard and row of an image stored without bytes, and refuses a file that is not parquet', async () => {
    const dir = tempDir();
    const file = join(dir, 'a.parquet');
    writeShard(
      file,
      [
        { bytes: new Uint8Array([0xff, 0xd8]), path: 'a.jpg' },
        { bytes: null, path: '/data/b.jpg' },
      ],
      [0n, 1n],
    );
    const split = await ParquetSplit.open([{ path: file, name: 'a.parquet' }], 'image', 'label');
    await expect(split.readBlock(0)).rejects.toThrow(
      'a.parquet row 1: the image has no embedded bytes, only a path (b.jpg); expected images stored in the parquet file',
    );
    await expect(
      ParquetSplit.open([{ path: join(EUROSAT, 'README.md'), name: 'README.md' }], 'image', 'label'),
    ).rejects.toThrow(/^README.md: not a readable parquet file/);
  });
});
