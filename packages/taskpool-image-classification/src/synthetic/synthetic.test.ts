import { createRng } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { Canvas } from './canvas.js';
import { syntheticColors } from './colors.js';
import { syntheticCounting } from './counting.js';
import { syntheticShapes } from './shapes.js';
import { syntheticSigns } from './signs.js';
import { type SyntheticTask, syntheticSource } from './synthetic-task.js';
import { syntheticTextures } from './textures.js';

const TASKS = [syntheticShapes, syntheticTextures, syntheticCounting, syntheticColors, syntheticSigns];

function draw(task: SyntheticTask, count: number, seed: number, size: number): Float32Array {
  const source = syntheticSource(task, count, seed);
  const per = task.channels * size * size;
  const out = new Float32Array(count * per);
  for (let i = 0; i < count; i++) source.draw(i, size, out, i * per);
  return out;
}

/** Connected groups (4-neighbour) of at least `minPixels` pixels brighter than `threshold`. */
function countBlobs(image: Float32Array, size: number, threshold: number, minPixels: number): number {
  const seen = new Uint8Array(size * size);
  let blobs = 0;
  for (let start = 0; start < size * size; start++) {
    if (seen[start] || image[start] <= threshold) continue;
    let pixels = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels++;
      const [y, x] = [Math.floor(p / size), p % size];
      for (const [ny, nx] of [
        [y - 1, x],
        [y + 1, x],
        [y, x - 1],
        [y, x + 1],
      ]) {
        const q = ny * size + nx;
        if (ny >= 0 && ny < size && nx >= 0 && nx < size && !seen[q] && image[q] > threshold) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    if (pixels >= minPixels) blobs++;
  }
  return blobs;
}

describe.each(TASKS.map((t) => [t.name, t] as const))('%s', (_name, task) => {
  it('draws the same images from the same seed and others from another seed', () => {
    const a = draw(task, 12, 7, 16);
    expect(draw(task, 12, 7, 16)).toEqual(a);
    const b = draw(task, 12, 8, 16);
    expect(b.some((v, i) => v !== a[i])).toBe(true);
  });

  it('draws any example alone exactly as in a sequence', () => {
    const all = draw(task, 9, 3, 16);
    const per = task.channels * 16 * 16;
    const alone = new Float32Array(per);
    syntheticSource(task, 9, 3).draw(8, 16, alone, 0);
    expect(alone).toEqual(all.subarray(8 * per));
  });

  it('balances its classes and keeps intensities in [0, 1]', () => {
    const classes = task.classNames.length;
    const source = syntheticSource(task, 10 * classes + 3, 0);
    const counts = new Array(classes).fill(0);
    for (const label of source.labels) counts[label]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const pixels = draw(task, 2 * classes, 1, 16);
    expect(Math.min(...pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
  });

  it('makes classes that differ on average', () => {
    const classes = task.classNames.length;
    const size = 16;
    const per = task.channels * size * size;
    const pixels = draw(task, 40 * classes, 2, size);
    const means = Array.from({ length: classes }, () => new Float64Array(per));
    for (let i = 0; i < 40 * classes; i++) {
      for (let k = 0; k < per; k++) means[i % classes][k] += pixels[i * per + k] / 40;
    }
    for (let a = 0; a < classes; a++) {
      for (let b = a + 1; b < classes; b++) {
        const distance = Math.sqrt(means[a].reduce((s, v, k) => s + (v - means[b][k]) ** 2, 0));
        expect(distance, `${task.classNames[a]} vs ${task.classNames[b]}`).toBeGreaterThan(0.05);
      }
    }
  });
});

describe('synthetic-counting', () => {
  it('draws as many separate blobs as its label says', () => {
    const size = 48;
    const count = 50;
    const pixels = draw(syntheticCounting, count, 11, size);
    const source = syntheticSource(syntheticCounting, count, 11);
    for (let i = 0; i < count; i++) {
      const image = pixels.subarray(i * size * size, (i + 1) * size * size);
      expect(countBlobs(image, size, 0.5, 3), `example ${i}`).toBe(source.labels[i] + 1);
    }
  });
});

describe('synthetic-colors', () => {
  it('gives the shape the hue of its class: the brightest channel of the most saturated pixel', () => {
    const size = 16;
    const count = 30;
    const pixels = draw(syntheticColors, count, 5, size);
    const area = size * size;
    // Red, yellow, green, cyan, blue, magenta: the channel(s) at full value.
    const strongest = [[0], [0, 1], [1], [1, 2], [2], [0, 2]];
    for (let i = 0; i < count; i++) {
      let best = 0;
      let bestSaturation = -1;
      for (let p = 0; p < area; p++) {
        const rgb = [0, 1, 2].map((c) => pixels[i * 3 * area + c * area + p]);
        const saturation = Math.max(...rgb) - Math.min(...rgb);
        if (saturation > bestSaturation) [best, bestSaturation] = [p, saturation];
      }
      const rgb = [0, 1, 2].map((c) => pixels[i * 3 * area + c * area + best]);
      const top = rgb.indexOf(Math.max(...rgb));
      expect(strongest[i % 6], `example ${i}: rgb ${rgb}`).toContain(top);
    }
  });
});

describe('synthetic-signs', () => {
  it('names its 12 classes frame-symbol, symbol fastest', () => {
    expect(syntheticSigns.classNames).toHaveLength(12);
    expect(syntheticSigns.classNames.slice(0, 4)).toEqual([
      'circle-bar',
      'circle-cross',
      'circle-dot',
      'triangle-bar',
    ]);
    expect(syntheticSigns.classNames.at(-1)).toBe('square-dot');
  });

  it('draws the frame and the symbol as separate parts: changing one leaves the other in place', () => {
    const size = 64;
    const image = (label: number, seed: number) => {
      const canvas = new Canvas(size, 1);
      syntheticSigns.render(label, createRng(seed), canvas);
      return canvas.data;
    };
    for (let seed = 0; seed < 8; seed++) {
      // The sign's size and centre, from the first draws in render's order (background, r, cx, cy).
      const rng = createRng(seed);
      rng.next();
      const r = 0.34 + 0.1 * rng.next();
      const cx = 0.46 + 0.08 * rng.next();
      const cy = 0.46 + 0.08 * rng.next();
      const distances = (a: Float32Array, b: Float32Array) => {
        const out: number[] = [];
        a.forEach((v, p) => {
          if (Math.abs(v - b[p]) > 0.3)
            out.push(Math.hypot(((p % size) + 0.5) / size - cx, (Math.floor(p / size) + 0.5) / size - cy));
        });
        return out;
      };
      // Same frame (circle), other symbol: only pixels within the symbol's reach change.
      for (const [a, b] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ]) {
        const changed = distances(image(a, seed), image(b, seed));
        expect(changed.length, `seed ${seed}: ${a} vs ${b}`).toBeGreaterThan(0);
        expect(Math.max(...changed)).toBeLessThan(0.3 * r + 2 / size);
      }
      // Same symbol, other frame (circle, diamond, square): the symbol's pixels stay.
      for (const symbol of [0, 1, 2]) {
        for (const [a, b] of [
          [0, 2],
          [0, 3],
          [2, 3],
        ]) {
          const changed = distances(image(3 * a + symbol, seed), image(3 * b + symbol, seed));
          expect(changed.length).toBeGreaterThan(0);
          expect(Math.min(...changed), `seed ${seed}: frames ${a} vs ${b}`).toBeGreaterThan(0.3 * r);
        }
      }
    }
  });
});
