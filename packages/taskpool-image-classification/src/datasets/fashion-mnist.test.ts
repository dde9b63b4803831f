import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../fixtures.test.helpers.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';

const FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

/** A copy of the fixture folder whose `file` is replaced by `bytes`. */
function withFile(file: string, bytes: Uint8Array): string {
  const dir = tempDir();
  for (const f of FILES) copyFileSync(fixture('fashion-mnist', f), join(dir, f));
  writeFileSync(join(dir, file), bytes);
  return dir;
}

describe('loadFashionMnist', () => {
  it('reads both official splits of gzipped IDX files, images paired with their labels', async () => {
    const train = await loadFashionMnist(fixture('fashion-mnist'), 'train');
    const test = await loadFashionMnist(fixture('fashion-mnist'), 'test');
    expect([train.count, train.height, train.width, train.channels, train.maxValue]).toEqual([
      12, 28, 28, 1, 255,
    ]);
    expect(test.count).toBe(6);
    for (const [set, offset] of [
      [train, 0],
      [test, 3],
    ] as const) {
      for (let i = 0; i < set.count; i++) {
        expect(set.labels[i]).toBe((i * 7 + offset) % 10);
        // The fixture writes the index into pixel 0 and 10·label into pixel 1.
        expect(set.pixels[i * 784]).toBe(i);
        expect(set.pixels[i * 784 + 1]).toBe(10 * set.labels[i]);
      }
    }
  });

  it('names the Debian package when the data set is missing', async () => {
    await expect(loadFashionMnist(join(tempDir(), 'nowhere'), 'test')).rejects.toThrow(
      /nowhere\/t10k-images-idx3-ubyte\.gz: not found; install Fashion-MNIST with `apt-get install dataset-fashion-mnist`$/,
    );
  });

  it('rejects a truncated gzip file, naming it', async () => {
    const bytes = readFileSync(fixture('fashion-mnist', 't10k-images-idx3-ubyte.gz'));
    const dir = withFile('t10k-images-idx3-ubyte.gz', bytes.subarray(0, bytes.length - 100));
    await expect(loadFashionMnist(dir, 'test')).rejects.toThrow(
      /t10k-images-idx3-ubyte\.gz: corrupt gzip data \(.+\)$/,
    );
  });

  it('rejects a label out of range, naming the file, the label and its index', async () => {
    const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 6, 3, 0, 12, 3, 4, 5]);
    const dir = withFile('t10k-labels-idx1-ubyte.gz', gzipSync(labels));
    await expect(loadFashionMnist(dir, 'test')).rejects.toThrow(
      /t10k-labels-idx1-ubyte\.gz: label 12 at index 2 is out of range 0\.\.9$/,
    );
  });

  it('rejects label and image files of different lengths', async () => {
    const dir = withFile(
      't10k-labels-idx1-ubyte.gz',
      gzipSync(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 2])),
    );
    await expect(loadFashionMnist(dir, 'test')).rejects.toThrow(
      /: 2 labels for the 6 images of .+t10k-images-idx3-ubyte\.gz$/,
    );
  });

  // Runs only where Debian's dataset-fashion-mnist is installed; tests pass without it.
  it.skipIf(!existsSync(FASHION_MNIST_DIR))(
    'reads the installed data set (60,000 + 10,000, balanced)',
    async () => {
      const test = await loadFashionMnist(FASHION_MNIST_DIR, 'test');
      expect([test.count, test.height, test.width]).toEqual([10_000, 28, 28]);
      const counts = new Array(10).fill(0);
      for (const label of test.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(1000));
      expect((await loadFashionMnist(FASHION_MNIST_DIR, 'train')).count).toBe(60_000);
    },
  );
});
