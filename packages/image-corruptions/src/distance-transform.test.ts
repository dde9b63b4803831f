import { createRng } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { distanceTransform } from './distance-transform.js';

describe('distance transform', () => {
  it('equals the brute-force Euclidean distance to the nearest source pixel', () => {
    const rng = createRng(3);
    for (const [width, height, density] of [
      [17, 11, 0.05],
      [30, 30, 0.01],
      [5, 9, 0.5],
    ] as const) {
      const source = Uint8Array.from({ length: width * height }, () => (rng.next() < density ? 1 : 0));
      source[0] = 1;
      const fast = distanceTransform(source, width, height);
      for (let p = 0; p < source.length; p++) {
        let best = Number.POSITIVE_INFINITY;
        for (let e = 0; e < source.length; e++) {
          if (source[e] === 1)
            best = Math.min(
              best,
              ((e % width) - (p % width)) ** 2 + (Math.floor(e / width) - Math.floor(p / width)) ** 2,
            );
        }
        expect(fast[p]).toBeCloseTo(Math.sqrt(best), 5);
      }
    }
  });
});
