import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng, fixture, tempDir } from '../fixtures.test.helpers.js';
import { loadOpenCvDigits, OPENCV_DIGITS_FILE } from './opencv-digits.js';

function file(bytes: Uint8Array): string {
  const path = join(tempDir(), 'digits.png');
  writeFileSync(path, bytes);
  return path;
}

describe('loadOpenCvDigits', () => {
  it('cuts the grid into 20×20 digits row by row, one class per tenth of the rows', async () => {
    const set = await loadOpenCvDigits(fixture('opencv-digits.png'));
    expect([set.count, set.height, set.width, set.channels, set.maxValue]).toEqual([30, 20, 20, 1, 255]);
    for (let r = 0; r < 10; r++) {
      for (let c = 0; c < 3; c++) {
        const i = r * 3 + c;
        expect(set.labels[i]).toBe(r);
        // The fixture marks each cell's pixel (0, 0) with 10·row + column and (0, 1) with 200.
        expect(set.pixels[i * 400]).toBe(10 * r + c);
        expect(set.pixels[i * 400 + 1]).toBe(200);
      }
    }
  });

  it('rejects an image that is not a grid of 20×20 digits in a multiple of 10 rows', async () => {
    const path = file(encodePng(40, 100, () => [0, 0, 0]));
    await expect(loadOpenCvDigits(path)).rejects.toThrow(
      /digits\.png: expected a grid of 20×20 digits with a multiple of 10 rows, got a 40×100 image$/,
    );
  });

  it('rejects a colour image', async () => {
    await expect(loadOpenCvDigits(file(encodePng(20, 200, () => [255, 0, 0])))).rejects.toThrow(
      /digits\.png: expected a grayscale PNG, got a colour one$/,
    );
  });

  it('rejects a truncated PNG, naming the file', async () => {
    const bytes = readFileSync(fixture('opencv-digits.png'));
    await expect(loadOpenCvDigits(file(bytes.subarray(0, bytes.length / 2)))).rejects.toThrow(
      /digits\.png: not a valid PNG \(.+\)$/,
    );
  });

  it('rejects a file that is not a PNG', async () => {
    await expect(loadOpenCvDigits(file(new TextEncoder().encode('GIF89a')))).rejects.toThrow(
      /digits\.png: not a valid PNG \(.+\)$/,
    );
  });

  it('names the Debian package when the file is missing', async () => {
    await expect(loadOpenCvDigits(join(tempDir(), 'digits.png'))).rejects.toThrow(
      /digits\.png: not found; install it with `apt-get install opencv-doc`, or extract just this file with scripts\/install-datasets\.sh/,
    );
  });

  // Runs only where digits.png of Debian's opencv-doc is installed; tests pass without it.
  it.skipIf(!existsSync(OPENCV_DIGITS_FILE))(
    'reads the installed digits.png: 5,000 digits, 500 per class',
    async () => {
      const set = await loadOpenCvDigits(OPENCV_DIGITS_FILE);
      expect(set.count).toBe(5000);
      const counts = new Array(10).fill(0);
      for (const label of set.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(500));
      expect(set.labels[0]).toBe(0);
      expect(set.labels[4999]).toBe(9);
    },
  );
});
