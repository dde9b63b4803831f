import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '@mergebench/core';
import { loadMergeLoops } from '@mergebench/merge-loops';
import { afterEach, describe, expect, it } from 'vitest';
import { type GeneralizedMergeOptions, generalizedKeyMerge } from './generalized-key.js';
import type { StoredDtype, StreamableKeyMerge } from './key-merge.js';
import { linearKeyMerge } from './linear-key.js';

// The native loops (@mergebench/merge-loops) against the JavaScript loops they replace, on the
// stored entries a streamed merge reads: equal bit for bit, including the NaN count.

const native = loadMergeLoops('native')!;
const threadsBefore = native.threads();
afterEach(() => {
  native.threads(threadsBefore);
});

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

type Stored = Uint16Array | Float32Array;

/** Every bit pattern (NaN, ±Infinity, ±0, subnormals) many times. */
function anyBits(dtype: StoredDtype, n: number, seed: number): Stored {
  const next = lcg(seed);
  if (dtype === 'F32') return new Float32Array(Uint32Array.from({ length: n }, () => next()).buffer);
  return Uint16Array.from({ length: n }, () => next() >>> 16);
}

/**
 * A base of finite values (zeros, subnormals and large ones among them) and fine-tuned models a
 * few units in the last place away, so that many differences are equal (ties at the threshold)
 * and none is NaN.
 */
function nearBase(dtype: StoredDtype, n: number, models: number, seed: number): Stored[] {
  const next = lcg(seed);
  const half = dtype !== 'F32';
  const maxExponent = dtype === 'F16' ? 0x1e : 0xfe;
  const pattern = () => {
    const r = next();
    if (half && dtype === 'F16') {
      const exp = (r >>> 10) % maxExponent;
      return ((r >>> 31) << 15) | (exp << 10) | (r & 0x3ff);
    }
    const exp = (r >>> 8) % maxExponent;
    const bits = ((r >>> 31) << 31) | (exp << 23) | ((r & 0xff) << 15) | (r & 0x7f);
    return half ? bits >>> 16 : bits >>> 0;
  };
  const base = Array.from({ length: n }, pattern);
  const all = [base];
  for (let m = 0; m < models; m++) {
    all.push(
      base.map((b) => {
        const step = (next() >>> 28) - 8; // −8..7 units in the last place
        const moved = b + step;
        const top = half ? 0xffff : 0xffffffff;
        const exponentMask = dtype === 'F16' ? 0x7c00 : half ? 0x7f80 : 0x7f800000;
        // stay finite and keep the sign: fall back to the base where a step would leave it
        if (moved < 0 || moved > top || (moved & exponentMask) === exponentMask) return b;
        if ((moved ^ b) & (half ? 0x8000 : 0x80000000)) return b;
        return moved >>> 0;
      }),
    );
  }
  return all.map((values) =>
    half ? Uint16Array.from(values) : new Float32Array(Uint32Array.from(values).buffer),
  );
}

function decode(dtype: StoredDtype, x: Stored): Float32Array {
  if (dtype === 'F32') return x as Float32Array;
  return dtype === 'BF16' ? bf16ToF32(x as Uint16Array) : f16ToF32(x as Uint16Array);
}

function encode(dtype: StoredDtype, values: Float32Array): Stored {
  if (dtype === 'F32') return values;
  return dtype === 'BF16' ? f32ToBf16(values) : f32ToF16(values);
}

const nonFinite = (values: Float32Array) => values.filter((v) => !Number.isFinite(v)).length;
const slice = (x: Stored, from: number, to: number) => x.slice(from, to);

interface Streamed {
  readonly out: Stored;
  readonly bad: number;
}

/**
 * A merge streamed in pieces of `piece` entries, as modelpool-weights' stream-keys.ts runs it:
 * with the JavaScript loops (decoded float32 runs) or with the native ones (stored entries).
 */
function streamed(
  merge: StreamableKeyMerge,
  way: 'js' | 'native',
  dtype: StoredDtype,
  outDtype: StoredDtype,
  inputs: readonly Stored[],
  hasBase: boolean,
  piece: number,
): Streamed {
  const n = inputs[0].length;
  const tensor = merge.tensor('model.layers.0.mlp.up_proj.weight', n);
  const out = outDtype === 'F32' ? new Float32Array(n) : new Uint16Array(n);
  let bad = 0;
  const split = (from: number, to: number) => {
    const xs = inputs.map((x) => slice(x, from, to));
    return { base: hasBase ? xs[0] : undefined, models: hasBase ? xs.slice(1) : xs };
  };
  for (let pass = 0; pass <= tensor.passes; pass++) {
    for (let from = 0; from < n; from += piece) {
      const to = Math.min(n, from + piece);
      const { base, models } = split(from, to);
      const merging = pass === tensor.passes;
      if (way === 'native') {
        if (!merging) tensor.scanStored!(pass, dtype, base, models, from, to - from);
        else {
          const o = outDtype === 'F32' ? new Float32Array(to - from) : new Uint16Array(to - from);
          bad += tensor.mergeStored!(dtype, base, models, from, to - from, outDtype, o);
          out.set(o as never, from);
        }
        continue;
      }
      const chunk = { base: base && decode(dtype, base), models: models.map((x) => decode(dtype, x)) };
      if (!merging) tensor.scan(pass, chunk, from);
      else {
        const result = new Float32Array(to - from);
        tensor.merge(chunk, from, result);
        bad += nonFinite(result);
        out.set(encode(outDtype, result) as never, from);
      }
    }
  }
  return { out, bad };
}

/**
 * Equal bit for bit, NaN payloads aside: a merge refuses a tensor with NaN results (that is
 * what the count is for), and which NaN an operation on two NaNs returns is the CPU's and the
 * JIT's choice (operand order), not the definition's.
 */
function expectSame(dtype: StoredDtype, js: Streamed, nat: Streamed) {
  expect(nat.bad).toBe(js.bad);
  const a = decode(dtype, js.out);
  const b = decode(dtype, nat.out);
  const bitsA = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bitsB = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let nan = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) {
      nan++;
      continue;
    }
    if (bitsA[i] !== bitsB[i])
      throw new Error(`entry ${i}: ${bitsA[i].toString(16)} (js) vs ${bitsB[i].toString(16)} (native)`);
  }
  return nan;
}

const DTYPES: readonly StoredDtype[] = ['BF16', 'F16', 'F32'];
/** Odd, and long enough to be split over threads (parts from 2¹⁶ entries). */
const N = 300_007;

describe('native loops against the JavaScript loops, bit for bit', () => {
  describe.each(DTYPES)('%s in', (dtype) => {
    it.each([
      { models: 3, lambda: 1, normalize: false, out: 'BF16' },
      { models: 3, lambda: 0.7, normalize: true, out: 'F32' },
      { models: 2, lambda: 1, normalize: true, out: 'F16' },
      { models: 5, lambda: 1.3, normalize: false, out: dtype },
    ] as const)(
      'task arithmetic on any bit patterns, NaN and infinities counted (%o)',
      ({ models, lambda, normalize, out }) => {
        const inputs = Array.from({ length: models + 1 }, (_, m) => anyBits(dtype, N, 11 + m));
        const options = (loops: 'js' | 'native'): GeneralizedMergeOptions => ({
          weights: [0.5, 0.3, 0.7, -0.2, 1.1].slice(0, models),
          sparsification: 'none',
          consensus: 'none',
          normalize,
          lambda,
          loops,
        });
        const js = streamed(generalizedKeyMerge(options('js')), 'js', dtype, out, inputs, true, 100_003);
        const nat = streamed(
          generalizedKeyMerge(options('native')),
          'native',
          dtype,
          out,
          inputs,
          true,
          100_003,
        );
        expect(js.bad).toBeGreaterThan(0);
        expectSame(out, js, nat);
      },
    );

    it.each([
      { sparsification: 'magnitude', consensus: 'sum', normalize: true },
      { sparsification: 'magnitude', consensus: 'none', normalize: false },
      { sparsification: 'random', consensus: 'sum', normalize: false },
      { sparsification: 'random', consensus: 'none', normalize: true },
      { sparsification: 'none', consensus: 'sum', normalize: true },
    ] as const)('TIES and DARE, ties at the threshold across pieces and threads (%o)', (rule) => {
      const inputs = nearBase(dtype, N, 3, 5);
      const options = (loops: 'js' | 'native'): GeneralizedMergeOptions => ({
        weights: [1, 0.5, 0.8],
        densities: [0.5, 0.3, 1],
        ...rule,
        lambda: 0.9,
        seed: 7,
        loops,
      });
      const js = streamed(generalizedKeyMerge(options('js')), 'js', dtype, 'BF16', inputs, true, 70_001);
      for (const threads of [1, 3]) {
        native.threads(threads);
        const nat = streamed(
          generalizedKeyMerge(options('native')),
          'native',
          dtype,
          'BF16',
          inputs,
          true,
          70_001,
        );
        expectSame('BF16', js, nat);
      }
    });

    it('TIES of four models and of any bit patterns but NaN differences', () => {
      const inputs = nearBase(dtype, N, 4, 9);
      // the first model's entries anywhere (infinities, zeros, subnormals), never NaN
      const wild = anyBits(dtype, N, 3);
      const model = inputs[1];
      const values = decode(dtype, wild);
      for (let i = 0; i < N; i++) if (Number.isFinite(values[i])) model[i] = wild[i];
      const options = (loops: 'js' | 'native'): GeneralizedMergeOptions => ({
        weights: [1, 0.5, 0.8, 0.25],
        densities: [0.2, 0.3, 0.9, 0.5],
        sparsification: 'magnitude',
        consensus: 'sum',
        normalize: true,
        loops,
      });
      const js = streamed(generalizedKeyMerge(options('js')), 'js', dtype, dtype, inputs, true, 131_071);
      const nat = streamed(
        generalizedKeyMerge(options('native')),
        'native',
        dtype,
        dtype,
        inputs,
        true,
        131_071,
      );
      expectSame(dtype, js, nat);
    });

    it('linear, normalised or not', () => {
      const inputs = Array.from({ length: 3 }, (_, m) => anyBits(dtype, N, 21 + m));
      for (const normalize of [true, false]) {
        const js = streamed(
          linearKeyMerge([0.2, 0.5, 0.4], normalize, 'js'),
          'js',
          dtype,
          'BF16',
          inputs,
          false,
          99_999,
        );
        const merge = linearKeyMerge([0.2, 0.5, 0.4], normalize, 'native');
        const nat = streamed(merge, 'native', dtype, 'BF16', inputs, false, 99_999);
        expectSame('BF16', js, nat);
      }
    });
  });

  it('names the key, the model and the entry of a NaN difference in a magnitude scan', () => {
    const [base, a, b] = nearBase('BF16', 1000, 2, 1);
    a[617] = 0x7fc1;
    const tensor = generalizedKeyMerge({
      weights: [1, 1],
      densities: [0.5, 0.5],
      sparsification: 'magnitude',
      consensus: 'sum',
      normalize: true,
      loops: 'native',
    }).tensor('k.weight', 1000);
    expect(() => tensor.scanStored!(0, 'BF16', base.subarray(0, 600), [a, b], 0, 600)).not.toThrow();
    expect(() =>
      tensor.scanStored!(0, 'BF16', base.subarray(600), [a.subarray(600), b.subarray(600)], 600, 400),
    ).toThrow("key 'k.weight' (model 1 − base) contains NaN at entry 617: magnitudes must be numbers");
  });

  it('gives the JavaScript loops alone when asked (no stored merge), whatever is built', () => {
    const options = {
      weights: [1, 1, 1],
      sparsification: 'none',
      consensus: 'none',
      normalize: false,
    } as const;
    const js = generalizedKeyMerge({ ...options, loops: 'js' }).tensor('k', 8);
    expect(js.mergeStored).toBeUndefined();
    expect(js.scanStored).toBeUndefined();
    expect(js.mergeBf16).toBeDefined();
    expect(generalizedKeyMerge({ ...options, loops: 'native' }).tensor('k', 8).mergeStored).toBeDefined();
    expect(linearKeyMerge([1, 1], true, 'js').tensor('k', 8).mergeStored).toBeUndefined();
  });
});
