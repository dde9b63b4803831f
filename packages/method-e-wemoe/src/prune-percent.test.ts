import { describe, expect, it } from 'vitest';
import { keepPercent } from './prune-percent.js';

describe('keepPercent', () => {
  it('keeps exactly 10% at prune ratio 0.9 and everything at ratio 0', () => {
    expect(keepPercent(0.9)).toBe(10);
    expect(keepPercent(0)).toBe(100);
  });

  it('refuses ratio 1', () => {
    expect(() => keepPercent(1)).toThrow('method.tv_prune_ratio 1 must be in [0, 1)');
  });
});
