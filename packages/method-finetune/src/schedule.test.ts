import { describe, expect, it } from 'vitest';
import { learningRateSchedule } from './schedule.js';

describe('learningRateSchedule', () => {
  it('warms up linearly, then decays by a cosine over the remaining steps', () => {
    const lr = learningRateSchedule('cosine', 1, 10, 4);
    expect([0, 1, 2, 3].map(lr)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(lr(4)).toBe(1);
    expect(lr(7)).toBeCloseTo(0.5, 12);
    expect(lr(10)).toBeCloseTo(0, 12);
  });

  it('stays at the rate after warm-up when constant, and starts at full rate without warm-up', () => {
    const lr = learningRateSchedule('constant', 0.1, 10, 2);
    expect([0, 1, 2, 9].map(lr)).toEqual([0.05, 0.1, 0.1, 0.1]);
    expect(learningRateSchedule('cosine', 0.1, 10, 0)(0)).toBe(0.1);
  });
});
