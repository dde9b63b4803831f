import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { constant, cosine, withWarmup } from './schedules.js';

// Learning rates torch's CosineAnnealingLR set at each step (tools/reference/adam_fixtures.py).
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/train/optimizers.json', import.meta.url), 'utf8'),
) as {
  cases: Record<
    string,
    { options: { lr: number }; cosine: { steps: number; min_factor: number } | null; lrs: number[] }
  >;
};

describe('schedules', () => {
  it('constant', () => {
    const s = constant(0.3);
    expect([0, 1, 1000].map(s)).toEqual([0.3, 0.3, 0.3]);
  });

  it('cosine matches torch CosineAnnealingLR step by step', () => {
    const cases = Object.values(fixture.cases).filter((c) => c.cosine !== null);
    expect(cases.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) {
      const s = cosine(c.options.lr, c.cosine!.steps, { minFactor: c.cosine!.min_factor });
      c.lrs.forEach((lr, step) => {
        expect(Math.abs(s(step) - lr)).toBeLessThanOrEqual(1e-15);
      });
    }
  });

  it('cosine starts at lr, ends at the floor and stays there', () => {
    const s = cosine(1, 10, { minFactor: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(5)).toBeCloseTo(0.55, 12);
    expect(s(10)).toBeCloseTo(0.1, 15);
    expect(s(25)).toBeCloseTo(0.1, 15);
    expect(cosine(2, 4)(4)).toBeCloseTo(0, 15);
  });

  it('warmup ramps linearly over the first steps, then follows the schedule', () => {
    const s = withWarmup(constant(1), 4);
    expect([0, 1, 2, 3, 4, 9].map(s)).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
    const c = cosine(1, 10);
    const w = withWarmup(c, 2);
    expect(w(0)).toBe(c(0) / 2);
    expect(w(7)).toBe(c(7));
  });

  it('rejects bad arguments with one-line errors', () => {
    expect(() => cosine(0.1, 0)).toThrow(/^cosine schedule: steps 0 must be an integer ≥ 1$/);
    expect(() => cosine(0.1, 10, { minFactor: 2 })).toThrow(/minFactor 2 must be in \[0, 1\]/);
    expect(() => constant(-1)).toThrow(/learning rate -1/);
    expect(() => withWarmup(constant(1), 1.5)).toThrow(/warmupSteps 1.5/);
  });
});
