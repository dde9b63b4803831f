import { describe, expect, it } from 'vitest';
import { averageHalfWidth95 } from './interval.js';

describe('95% interval of an average accuracy', () => {
  it('is 1.96 · sqrt(p(1−p)/n) for one task', () => {
    // p = 0.5, n = 100: SE = sqrt(0.25 / 100) = 0.05, half-width 0.098.
    expect(averageHalfWidth95([{ accuracy: 0.5, count: 100 }])).toBeCloseTo(0.098, 12);
    // p = 0.9, n = 400: SE = sqrt(0.09 / 400) = 0.015, half-width 0.0294.
    expect(averageHalfWidth95([{ accuracy: 0.9, count: 400 }])).toBeCloseTo(0.0294, 12);
  });

  it('combines independent tasks as sqrt(Σ p(1−p)/n) / T', () => {
    // 0.25/100 + 0.09/400 + 0.16/200 = 0.0025 + 0.000225 + 0.0008 = 0.003525;
    // SE = sqrt(0.003525) / 3 = 0.0197906…, half-width 0.0387896…
    const half = averageHalfWidth95([
      { accuracy: 0.5, count: 100 },
      { accuracy: 0.9, count: 400 },
      { accuracy: 0.8, count: 200 },
    ]);
    expect(half).toBeCloseTo((1.96 * Math.sqrt(0.003525)) / 3, 12);
    expect(half).toBeCloseTo(0.03879, 5);
  });

  it('narrows as 1/sqrt(T) over equal tasks', () => {
    const task = { accuracy: 0.7, count: 512 };
    const one = averageHalfWidth95([task]);
    expect(averageHalfWidth95([task, task, task, task])).toBeCloseTo(one / 2, 12);
  });

  it('is 0 for perfect or null accuracy, NaN without a count or an accuracy', () => {
    expect(averageHalfWidth95([{ accuracy: 1, count: 50 }])).toBe(0);
    expect(averageHalfWidth95([{ accuracy: 0, count: 50 }])).toBe(0);
    expect(averageHalfWidth95([{ accuracy: 0.5, count: 0 }])).toBeNaN();
    expect(averageHalfWidth95([{ accuracy: Number.NaN, count: 10 }])).toBeNaN();
    expect(averageHalfWidth95([])).toBeNaN();
  });
});
