import { f32ToBf16 } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { generalizedKeyMerge } from './generalized-key.js';

/** Deterministic bfloat16 bit patterns: every pattern (NaN, ±Infinity, ±0, subnormals) many times. */
function patterns(n: number, seed: number): Uint16Array {
  const out = new Uint16Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 16;
  }
  return out;
}

const decode = (h: Uint16Array) => new Float32Array(Uint32Array.from(h, (v) => v << 16).buffer);

describe('task arithmetic on BF16 storage (mergeBf16)', () => {
  it.each([
    { lambda: 1, normalize: false },
    { lambda: 0.9, normalize: false },
    { lambda: 1, normalize: true },
  ])('equals the float32 merge rounded to BF16, bit for bit (%o)', ({ lambda, normalize }) => {
    const n = 1 << 18;
    const base = patterns(n, 1);
    const models = [patterns(n, 2), patterns(n, 3), patterns(n, 4)];
    const merge = generalizedKeyMerge({
      weights: [0.5, 0.3, 0.7],
      sparsification: 'none',
      consensus: 'none',
      normalize,
      lambda,
    });
    const expected = f32ToBf16(merge({ key: 'k', base: decode(base), models: models.map(decode) }));
    const tensor = merge.tensor('k', n);
    const got = new Uint16Array(n);
    const from = 1000;
    const bad =
      tensor.mergeBf16!(base, models, 0, from, got) + tensor.mergeBf16!(base, models, from, n - from, got);
    expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    const values = decode(got);
    expect(bad).toBe(values.filter((v) => !Number.isFinite(v)).length);
  });

  it('is there for three models without sparsification or consensus only', () => {
    const options = { weights: [1, 1, 1], normalize: false } as const;
    expect(
      generalizedKeyMerge({ ...options, sparsification: 'none', consensus: 'none' }).tensor('k', 8).mergeBf16,
    ).toBeDefined();
    expect(
      generalizedKeyMerge({ ...options, sparsification: 'none', consensus: 'sum' }).tensor('k', 8).mergeBf16,
    ).toBeUndefined();
    expect(
      generalizedKeyMerge({
        weights: [1, 1],
        normalize: false,
        sparsification: 'none',
        consensus: 'none',
      }).tensor('k', 8).mergeBf16,
    ).toBeUndefined();
  });
});

describe('the sign election of three models (electThree)', () => {
  /** mergekit's definition, entry by entry, as the general path computes it. */
  function reference(base: Float32Array, models: Float32Array[], w: number[], normalize: boolean) {
    const out = new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const wd = models.map((x, t) => Math.fround(Math.fround(x[i] - base[i]) * Math.fround(w[t])));
      let mixed = 0;
      for (const v of wd) mixed = Math.fround(mixed + v);
      const sign = mixed >= 0 ? 1 : -1;
      let sum = 0;
      let weight = 0;
      wd.forEach((v, t) => {
        if (Math.sign(v) !== sign) return;
        sum = Math.fround(sum + v);
        weight = Math.fround(weight + Math.fround(w[t]));
      });
      const m = normalize ? Math.fround(sum / (weight === 0 ? 1 : weight)) : sum;
      out[i] = base[i] + m;
    }
    return out;
  }

  it.each([true, false])(
    'equals the definition bit for bit, NaN, infinities and zeros included (normalize %s)',
    (normalize) => {
      const n = 1 << 16;
      const base = decode(patterns(n, 5));
      const models = [decode(patterns(n, 6)), decode(patterns(n, 7)), decode(patterns(n, 8))];
      // small differences too, where signs and zeros decide
      for (let i = 0; i < n; i += 2) for (const x of models) x[i] = base[i] + (((i * 7) % 5) - 2) * 1e-3;
      const w = [1, 0.5, 0.8];
      const merge = generalizedKeyMerge({ weights: w, sparsification: 'none', consensus: 'sum', normalize });
      const got = merge({ key: 'k', base, models });
      const want = reference(base, models, w, normalize);
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    },
  );
});
