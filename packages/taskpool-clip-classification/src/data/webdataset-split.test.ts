import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FER, tempDir } from '../fixtures.test.helpers.js';
import { WebDatasetSplit } from './webdataset-split.js';

describe('WebDatasetSplit', () => {
  it('groups tar members into samples by key and reads the labels as text', async () => {
    const split = await WebDatasetSplit.open(
      [{ path: join(FER, 'test/0.tar'), name: 'test/0.tar' }],
      'jpg',
      'cls',
    );
    expect(split.blockSizes).toEqual([5]);
    const samples = await split.readBlock(0);
    expect(samples.map((s) => s.where)[1]).toBe('test/0.tar sample s000001');
    expect(samples.map((s) => s.label)).toEqual([3, 6, 2, 5, 1]);
    expect(samples[0].bytes.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    expect(Array.from((await split.labels()).labels)).toEqual([3, 6, 2, 5, 1]);
  });

  it('names the shard and the extensions present when no sample has the image and label members', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.png'), 'x');
    writeFileSync(join(dir, 'a.txt'), '1');
    execFileSync('tar', ['--format=ustar', '-cf', join(dir, '0.tar'), '-C', dir, 'a.png', 'a.txt']);
    await expect(
      WebDatasetSplit.open([{ path: join(dir, '0.tar'), name: 'test/0.tar' }], 'jpg', 'cls'),
    ).rejects.toThrow(
      "test/0.tar: no sample has both a 'jpg' image and a 'cls' label; member extensions there: png, txt",
    );
  });
});
