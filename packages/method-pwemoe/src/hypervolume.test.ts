import { createRng } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { hypervolume } from './hypervolume.js';

/** Inclusion–exclusion over all subsets: an independent exact hypervolume for a few points. */
function inclusionExclusion(points: readonly (readonly number[])[]): number {
  let total = 0;
  for (let mask = 1; mask < 1 << points.length; mask++) {
    const chosen = points.filter((_, i) => mask & (1 << i));
    const corner = chosen[0].map((_, d) => Math.min(...chosen.map((p) => p[d])));
    const volume = corner.reduce((v, x) => v * Math.max(0, x), 1);
    total += (chosen.length % 2 === 1 ? 1 : -1) * volume;
  }
  return total;
}

describe('hypervolume (reference point: 0 in every objective)', () => {
  it('matches hand-computed values in 2 and 3 objectives', () => {
    expect(hypervolume([[0.8, 0.6]])).toBeCloseTo(0.48, 15);
    // Two boxes 1×0.5 and 0.5×1 overlapping in 0.5×0.5.
    expect(
      hypervolume([
        [1, 0.5],
        [0.5, 1],
      ]),
    ).toBeCloseTo(0.75, 15);
    // A staircase: 0.9·0.2 + 0.6·(0.5 − 0.2) + 0.3·(0.8 − 0.5).
    expect(
      hypervolume([
        [0.9, 0.2],
        [0.6, 0.5],
        [0.3, 0.8],
      ]),
    ).toBeCloseTo(0.45, 15);
    // Three boxes of 0.25 overlapping pairwise and all together in 0.5³.
    const three = [
      [1, 0.5, 0.5],
      [0.5, 1, 0.5],
      [0.5, 0.5, 1],
    ];
    expect(hypervolume(three)).toBeCloseTo(3 * 0.25 - 3 * 0.125 + 0.125, 15);
  });

  it('ignores dominated and duplicate points', () => {
    expect(
      hypervolume([
        [1, 0.5],
        [0.5, 1],
        [0.4, 0.4],
        [1, 0.5],
      ]),
    ).toBeCloseTo(0.75, 15);
  });

  it('matches a hand-computed value in 8 objectives', () => {
    const a = [1, 1, 1, 1, 1, 1, 1, 0.5];
    const b = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1];
    // 0.5 + 0.5⁷ − 0.5⁸
    expect(hypervolume([a, b])).toBeCloseTo(0.5 + 0.5 ** 7 - 0.5 ** 8, 15);
  });

  it('agrees with inclusion–exclusion on random fronts of 9 points in 2, 3 and 8 objectives', () => {
    const rng = createRng(7);
    for (const d of [2, 3, 8]) {
      for (let trial = 0; trial < 5; trial++) {
        const points = Array.from({ length: 9 }, () => Array.from({ length: d }, () => rng.next()));
        expect(hypervolume(points)).toBeCloseTo(inclusionExclusion(points), 12);
      }
    }
  });

  it('measures from another reference point, and points below it add nothing', () => {
    expect(
      hypervolume(
        [
          [1, 0.5],
          [0.5, 1],
        ],
        [0.5, 0.5],
      ),
    ).toBeCloseTo(0, 15);
    expect(
      hypervolume(
        [
          [1, 1],
          [0.2, 2],
        ],
        [0.5, 0.5],
      ),
    ).toBeCloseTo(0.25, 15);
    expect(hypervolume([])).toBe(0);
  });

  it('refuses points of mixed sizes or non-finite values', () => {
    expect(() => hypervolume([[1, 2], [1]])).toThrow(/every point must have 2 finite objectives/);
    expect(() => hypervolume([[1, Number.NaN]])).toThrow(/finite/);
  });
});
