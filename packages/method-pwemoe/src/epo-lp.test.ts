import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { epoAdjustments, epoWeights, gramMatrix } from './epo-lp.js';

interface FixtureCase {
  readonly name: string;
  readonly losses: number[];
  readonly gram: number[][];
  readonly ray: number[];
  readonly expected: {
    readonly move: 'balance' | 'descent';
    readonly nonUniformity: number;
    readonly adjustments: number[] | null;
    readonly alpha: number[] | null;
    readonly objective: number | null;
    readonly unique: boolean | null;
  };
}

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/epo-lp.json', import.meta.url)), 'utf8'),
) as { cases: FixtureCase[] };

/** The LP's objective at alpha, unscaled: αᵀCa (balance) or 1ᵀCα (descent). */
function objective(c: FixtureCase, alpha: readonly number[]): number {
  const { a } = epoAdjustments(c.losses, c.ray);
  const Calpha = c.gram.map((row) => row.reduce((s, v, j) => s + v * alpha[j], 0));
  return c.expected.move === 'balance'
    ? Calpha.reduce((s, v, j) => s + v * a[j], 0)
    : Calpha.reduce((s, v) => s + v, 0);
}

describe('EPO weights against the scipy/HiGHS fixture (tools/reference/pwemoe_epo_fixtures.py)', () => {
  it.each(fixture.cases)('$name', async (c) => {
    const solution = await epoWeights(c.losses, c.gram, c.ray);
    expect(solution.move).toBe(c.expected.move);
    expect(solution.nonUniformity).toBeCloseTo(c.expected.nonUniformity, 12);
    if (c.expected.adjustments) {
      const { a } = epoAdjustments(c.losses, c.ray);
      expect(a).toHaveLength(c.expected.adjustments.length);
      for (const [i, v] of a.entries()) expect(v).toBeCloseTo(c.expected.adjustments[i], 12);
    }
    if (c.expected.alpha === null) {
      expect(solution.fellBack).toBe(true);
      const total = c.ray.reduce((s, v) => s + v, 0);
      expect(solution.alpha).toEqual(c.ray.map((r) => r / total));
      return;
    }
    expect(solution.fellBack).toBe(false);
    expect(solution.alpha.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    const scale = Math.max(1e-300, Math.abs(c.expected.objective!), ...c.gram.flat().map(Math.abs));
    expect(Math.abs(objective(c, solution.alpha) - c.expected.objective!) / scale).toBeLessThan(1e-6);
    if (c.expected.unique) {
      for (const [i, v] of solution.alpha.entries()) expect(v).toBeCloseTo(c.expected.alpha[i], 6);
    }
  });

  it('covers both programs, a fall-back without an LP and an infeasible LP', () => {
    const moves = new Set(fixture.cases.map((c) => c.expected.move));
    expect(moves).toEqual(new Set(['balance', 'descent']));
    expect(fixture.cases.filter((c) => c.expected.alpha === null)).toHaveLength(2);
    expect(fixture.cases.filter((c) => c.expected.unique).length).toBeGreaterThanOrEqual(6);
  });

  it('refuses one task and mismatched sizes with one clear line', async () => {
    await expect(epoWeights([1], [[1]], [1])).rejects.toThrow(/EPO: 1 task; EPO needs at least 2 tasks/);
    await expect(
      epoWeights(
        [1, 2],
        [
          [1, 0],
          [0, 1],
        ],
        [1],
      ),
    ).rejects.toThrow(/preference vector of 1 entries for 2 losses/);
    await expect(epoWeights([1, 2], [[1, 0]], [0.5, 0.5])).rejects.toThrow(/Gram matrix must be 2×2/);
  });
});

describe('gramMatrix', () => {
  it('is GGᵀ of the flattened gradients', () => {
    const g = [Float32Array.from([1, 2, 3]), Float32Array.from([-1, 0, 2])];
    expect(gramMatrix(g)).toEqual([
      [14, 5],
      [5, 5],
    ]);
  });
});
