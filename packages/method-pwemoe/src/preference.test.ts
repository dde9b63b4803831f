import { describe, expect, it } from 'vitest';
import { checkPreference, preferenceGrid, preferenceLabel, sampleDirichlet } from './preference.js';

describe('checkPreference', () => {
  it('normalises a valid vector to sum 1', () => {
    expect(checkPreference([1, 3], 2, 'x')).toEqual([0.25, 0.75]);
    expect(checkPreference([0, 1], 2, 'x')).toEqual([0, 1]);
  });

  it('refuses a wrong length, a negative entry and all zeros with one clear line', () => {
    expect(() => checkPreference([0.5, 0.5], 3, 'method pwemoe-ls.preference')).toThrow(
      'method pwemoe-ls.preference: preference vector [0.5, 0.5] has 2 entries, expected one per task (3)',
    );
    expect(() => checkPreference([1.5, -0.5], 2, 'p')).toThrow(
      'p: preference vector [1.5, -0.5] has entry 1 = -0.5, expected a finite number ≥ 0',
    );
    expect(() => checkPreference([0, 0], 2, 'p')).toThrow('p: preference vector [0, 0] is all zeros');
  });
});

describe('preferenceGrid', () => {
  it('lays 11 points on the 2-task simplex, 66 on the 3-task one, equal weights and one-hots beyond', () => {
    const two = preferenceGrid(2, 11);
    expect(two).toHaveLength(11);
    expect(two[0]).toEqual([1, 0]);
    expect(two[10]).toEqual([0, 1]);
    expect(two[3][0]).toBeCloseTo(0.7, 15);
    expect(preferenceGrid(3, 11)).toHaveLength(66);
    expect(preferenceGrid(3, 3)).toEqual([
      [1, 0, 0],
      [0.5, 0.5, 0],
      [0.5, 0, 0.5],
      [0, 1, 0],
      [0, 0.5, 0.5],
      [0, 0, 1],
    ]);
    const eight = preferenceGrid(8, 11);
    expect(eight).toHaveLength(9);
    expect(eight[0]).toEqual(new Array(8).fill(1 / 8));
    expect(eight[3]).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
    for (const ray of [...two, ...eight]) expect(ray.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('labels vectors compactly', () => {
    expect(preferenceLabel([0.3, 0.7])).toBe('0.3,0.7');
    expect(preferenceLabel([1 / 3, 2 / 3])).toBe('0.3333,0.6667');
  });
});

describe('sampleDirichlet', () => {
  it('draws points of the simplex, reproducibly, with mean 1/T and the variance of Dirichlet(α)', () => {
    expect(sampleDirichlet(1, 3, 42)).toEqual(sampleDirichlet(1, 3, 42));
    for (const alpha of [0.5, 1, 4]) {
      const T = 3;
      const n = 4000;
      const draws = Array.from({ length: n }, (_, i) => sampleDirichlet(alpha, T, i));
      for (const d of draws) {
        expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
        expect(d.every((v) => v >= 0)).toBe(true);
      }
      const mean = draws.reduce((s, d) => s + d[0], 0) / n;
      const variance = draws.reduce((s, d) => s + (d[0] - mean) ** 2, 0) / n;
      // Var of one entry: (1/T)(1 − 1/T) / (Tα + 1).
      const expected = ((1 / T) * (1 - 1 / T)) / (T * alpha + 1);
      expect(Math.abs(mean - 1 / T)).toBeLessThan(0.02);
      expect(Math.abs(variance - expected) / expected).toBeLessThan(0.12);
    }
  });

  it('refuses alpha ≤ 0', () => {
    expect(() => sampleDirichlet(0, 2, 1)).toThrow('Dirichlet: alpha 0 must be a number > 0');
    expect(() => sampleDirichlet(-1, 2, 1)).toThrow(/alpha -1/);
  });
});
