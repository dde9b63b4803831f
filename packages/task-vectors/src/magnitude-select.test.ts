import { MergebenchError } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { Histogram, kthLargestMagnitude, MagnitudeSelector } from './magnitude-select.js';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Signed values spread over many binades, so that both histogram passes matter. */
function spread(n: number, seed: number): Float32Array {
  const rand = random(seed);
  return Float32Array.from({ length: n }, () => (rand() - 0.5) * 2 ** Math.floor(rand() * 40 - 30));
}

function sortedMagnitudes(arrays: readonly Float32Array[]): Float32Array {
  const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    all.set(a.map(Math.abs), offset);
    offset += a.length;
  }
  return all.sort();
}

function sortedReference(arrays: readonly Float32Array[], k: number): number {
  const all = sortedMagnitudes(arrays);
  return all[all.length - k];
}

function bitsOf(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0];
}

function expectSameFloat(actual: number, expected: number): void {
  expect(bitsOf(actual)).toBe(bitsOf(expected));
}

describe('kthLargestMagnitude', () => {
  it.each([1, 2, 3, 7, 100, 1001, 65_537])('equals a sort-based reference for n = %i', (n) => {
    const values = spread(n, n);
    const rand = random(n + 1);
    const ks = new Set([
      1,
      n,
      Math.ceil(n / 2),
      ...Array.from({ length: 5 }, () => 1 + Math.floor(rand() * n)),
    ]);
    for (const k of ks) expectSameFloat(kthLargestMagnitude([values], k), sortedReference([values], k));
  });

  it('equals the reference on 1e6 values', () => {
    const values = spread(1_000_000, 99);
    const sorted = sortedMagnitudes([values]);
    for (const k of [1, 17, 100_000, 500_000, 999_999, 1_000_000]) {
      expectSameFloat(kthLargestMagnitude([values], k), sorted[sorted.length - k]);
    }
  });

  it('works over many chunks as over their concatenation', () => {
    const chunks = [spread(10, 1), spread(1, 2), spread(0, 3), spread(333, 4), spread(64, 5)];
    const whole = Float32Array.from(chunks.flatMap((c) => Array.from(c)));
    for (const k of [1, 2, 50, 204, 408]) {
      expectSameFloat(kthLargestMagnitude(chunks, k), kthLargestMagnitude([whole], k));
      expectSameFloat(kthLargestMagnitude(chunks, k), sortedReference(chunks, k));
    }
  });

  it('handles all-equal values, signed zeros, subnormals and infinities', () => {
    expect(kthLargestMagnitude([new Float32Array(1000).fill(-0.3)], 500)).toBe(Math.fround(0.3));
    const zeros = Float32Array.from({ length: 101 }, (_, i) => (i % 2 ? -0 : 0));
    expectSameFloat(kthLargestMagnitude([zeros], 1), 0);
    expectSameFloat(kthLargestMagnitude([zeros], 101), 0);
    const tiny = Float32Array.from([1e-45, -2e-45, 1e-40, -1e-40, 0, -0, 1e-38, 5e-39]);
    for (let k = 1; k <= tiny.length; k++)
      expectSameFloat(kthLargestMagnitude([tiny], k), sortedReference([tiny], k));
    expectSameFloat(kthLargestMagnitude([tiny], 3), 1e-40);
    const inf = Float32Array.from([1, -Infinity, 3, Infinity, -2]);
    expect(kthLargestMagnitude([inf], 1)).toBe(Infinity);
    expect(kthLargestMagnitude([inf], 2)).toBe(Infinity);
    expect(kthLargestMagnitude([inf], 3)).toBe(3);
  });

  it('reads subarrays at their offset without copying', () => {
    const buffer = Float32Array.from([100, 1, -5, 3, 200]);
    expect(kthLargestMagnitude([buffer.subarray(1, 4)], 1)).toBe(5);
  });

  it('reports NaN with the chunk label and position', () => {
    const values = Float32Array.from([1, 2, Number.NaN]);
    expect(() => kthLargestMagnitude([new Float32Array(2), values], 1, ['a', "key 'w'"])).toThrow(
      new MergebenchError("key 'w' contains NaN at element 2: magnitudes must be numbers"),
    );
    // Infinity shares the non-finite histogram bin with NaN but is a number.
    expect(() => kthLargestMagnitude([Float32Array.of(Infinity)], 1)).not.toThrow();
  });

  it('rejects a rank outside 1..n', () => {
    expect(() => kthLargestMagnitude([new Float32Array(3)], 4)).toThrow(MergebenchError);
    expect(() => kthLargestMagnitude([new Float32Array(3)], 0)).toThrow(MergebenchError);
    expect(() => kthLargestMagnitude([new Float32Array(3)], 1.5)).toThrow(MergebenchError);
    expect(() => kthLargestMagnitude([], 1)).toThrow('cannot select the 1-th largest magnitude of 0 values');
  });
});

describe('MagnitudeSelector', () => {
  it('can be fed incrementally, in a different order in pass 2', () => {
    const chunks = [spread(50, 7), spread(70, 8), spread(30, 9)];
    const selector = new MagnitudeSelector();
    chunks.forEach((c, i) => {
      selector.countPass1(c, `chunk ${i}`);
    });
    expect(selector.count).toBe(150);
    selector.target(42);
    for (const c of [...chunks].reverse()) selector.countPass2(c);
    expectSameFloat(selector.result(), sortedReference(chunks, 42));
  });

  it('notices data that changed between the passes', () => {
    const selector = new MagnitudeSelector();
    selector.countPass1(Float32Array.of(1, 2, 3), 'x');
    selector.target(1);
    selector.countPass2(Float32Array.of(1, 2, 3.5));
    expect(() => selector.result()).toThrow(/second pass saw different data/);
  });

  it('enforces the order of the passes', () => {
    const selector = new MagnitudeSelector();
    expect(() => selector.countPass2(new Float32Array(1))).toThrow('before target');
    selector.countPass1(new Float32Array(1), 'x');
    selector.target(1);
    expect(() => selector.countPass1(new Float32Array(1), 'x')).toThrow('pass 1 is over');
  });
});

describe('Histogram', () => {
  it('carries counts into float64 before the uint32 bins could overflow', () => {
    const histogram = new Histogram(4, 10);
    for (let round = 0; round < 5; round++) {
      histogram.reserve(6);
      histogram.counts[1] += 6;
    }
    expect(histogram.get(1)).toBe(30);
    expect(histogram.counts[1]).toBeLessThanOrEqual(10);
    expect(histogram.sum(0, 4)).toBe(30);
  });
});
