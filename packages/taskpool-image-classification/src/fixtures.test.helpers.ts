import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

/** The package's fixtures folder (written by tools/reference/image_fixtures.py). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mergebench-images-'));
}

/** A PNG of `width`×`height` whose pixel (x, y) has colour `color(x, y)` = [r, g, b, a?]. */
export function encodePng(width: number, height: number, color: (x: number, y: number) => number[]): Buffer {
  const png = new pngjs.PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = color(x, y);
      png.data.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  return pngjs.PNG.sync.write(png);
}
