/**
 * mergekit's generalized task arithmetic on one tensor (task_arithmetic, ties, dare_linear,
 * dare_ties), computed in float32 in mergekit's order of operations:
 * δᵢ = θᵢ − θ₀; sparsify δᵢ (magnitude: top ⌊densityᵢ·n⌋ of this tensor; random: DARE);
 * wᵢδᵢ; with sign consensus, the elected sign is sign(Σᵢ wᵢδᵢ) (≥ 0 counts as +) and only entries
 * of that sign take part; mixed = Σ wᵢδᵢ, divided by Σ wᵢ over the taking-part models when
 * normalising (a zero divisor counts as 1); θ = θ₀ + λ·mixed.
 * Conventions that differ from the TIES paper's code (method-ties): density is a fraction of
 * each tensor (not a percentage of the whole model), weights are per model, and there is no
 * majority-sign fallback.
 *
 * The work goes run by run with every model's run in cache (as combine-key.ts), and δ is
 * recomputed where needed rather than stored: a merge of large models is bound by memory
 * traffic. A key can be merged whole or streamed in runs (`tensor`, key-merge.ts), with the same
 * result. Magnitude sparsification first finds each model's threshold and how many entries
 * equal to it survive (the lowest indices) in two scans (a histogram selection,
 * magnitude-select.ts), then keeps entries in index order while merging.
 *
 * Where @mergebench/merge-loops' addon is built, the returned TensorMerge also has `scanStored`
 * and `mergeStored`: the same operations in native loops over the stored entries (decoding,
 * merging and rounding in one pass, on all cores), equal bit for bit.
 */
import { check, MergebenchError } from '@mergebench/core';
import {
  DTYPE_CODES,
  type LoopsChoice,
  loadMergeLoops,
  RULE_FIELDS,
  SPARSIFY_CODES,
} from '@mergebench/merge-loops';
import { dareStream, lowbias32 } from './dare-mask.js';
import {
  type KeyChunk,
  RUN,
  type StreamableKeyMerge,
  streamableKeyMerge,
  type TensorMerge,
} from './key-merge.js';
import { MagnitudeSelector } from './magnitude-select.js';

export type Sparsification = 'none' | 'magnitude' | 'random';

export interface GeneralizedMergeOptions {
  /** Per model, in input order. */
  readonly weights: readonly number[];
  /** Per model (default 1: no sparsification). */
  readonly densities?: readonly number[];
  readonly sparsification: Sparsification;
  readonly consensus: 'none' | 'sum';
  readonly normalize: boolean;
  /** λ (default 1). */
  readonly lambda?: number;
  /** DARE divides the survivors by density (default true, mergekit's `rescale`). */
  readonly rescale?: boolean;
  /** Seed of DARE's draws. */
  readonly seed?: number;
  /**
   * `native`: also merge stored entries with @mergebench/merge-loops (an error if its addon is
   * missing); `js`: the JavaScript loops only; `auto` (default: MERGEBENCH_MERGE_LOOPS, else
   * native where the addon is built).
   */
  readonly loops?: LoopsChoice;
}

/** wd[j] = fl(δ·w) for j in [0, len), no sparsification. */
function weightedPlain(
  wd: Float32Array,
  x: Float32Array,
  b: Float32Array,
  w: number,
  from: number,
  len: number,
) {
  for (let j = 0; j < len; j++) wd[j] = Math.fround(x[from + j] - b[from + j]) * w;
}

/** Per model: keep |δ| > threshold, and the first `ties` entries with |δ| = threshold. */
class MagnitudeKeep {
  threshold = -1;
  ties = 0;
  constructor(
    readonly k: number,
    /** Taken from a pool and given back once the threshold is known (its histograms are 0.4 MB). */
    public selector: MagnitudeSelector | undefined,
  ) {
    selector?.reset();
  }
}

function weightedMagnitude(
  wd: Float32Array,
  x: Float32Array,
  b: Float32Array,
  w: number,
  keep: MagnitudeKeep,
  from: number,
  len: number,
) {
  const threshold = keep.threshold;
  let ties = keep.ties;
  for (let j = 0; j < len; j++) {
    const d = Math.fround(x[from + j] - b[from + j]);
    const m = Math.abs(d);
    // d·w·0 is ±0 where the reference stores +0: the same once summed from +0 (electThree,
    // addInto); |d| is not NaN here (the threshold's selection refused it).
    if (m === threshold && ties > 0) {
      ties--;
      wd[j] = d * w;
    } else wd[j] = d * w * +(m > threshold);
  }
  keep.ties = ties;
}

function weightedRandom(
  wd: Float32Array,
  x: Float32Array,
  b: Float32Array,
  w: number,
  stream: number,
  cut: number,
  divisor: number,
  from: number,
  index: number,
  len: number,
) {
  for (let j = 0; j < len; j++) {
    const d = Math.fround(x[from + j] - b[from + j]);
    wd[j] = lowbias32((stream + index + j) >>> 0) < cut ? Math.fround(d / divisor) * w : 0;
  }
}

/** How many entries magnitude sparsification keeps: ⌊density·n⌋ (undefined: all of them). */
function magnitudeCount(density: number, n: number, what: string): number | undefined {
  if (density >= 1) return undefined;
  const k = Math.floor(density * n);
  if (k <= 0)
    throw new MergebenchError(
      `${what}: density ${density} keeps no entry of a tensor of ${n} values (mergekit refuses this too)`,
    );
  return k;
}

export function generalizedKeyMerge(options: GeneralizedMergeOptions): StreamableKeyMerge {
  const { weights, sparsification, consensus, normalize } = options;
  const densities = options.densities ?? weights.map(() => 1);
  check(densities.length === weights.length, 'one density per model is needed');
  const T = weights.length;
  const w = weights.map((x) => Math.fround(x));
  const lambda = options.lambda ?? 1;
  const lf = Math.fround(lambda);
  const seed = options.seed ?? 0;
  const rescale = options.rescale ?? true;
  let total = 0;
  for (const x of w) total = Math.fround(total + x);
  const plainDivisor = Math.abs(total) < 1e-8 ? 1 : total;
  const wd = Array.from({ length: T }, () => new Float32Array(RUN));
  const mixed = new Float32Array(RUN);
  const divisor = new Float32Array(RUN);
  let scratch = new Float32Array(RUN);
  // Selectors not in use, for the next keys.
  const selectors: MagnitudeSelector[] = [];
  // The native loops' per-model rules, filled for each piece.
  const rules = new Float64Array(T * RULE_FIELDS);
  const plain = sparsification === 'none' && consensus === 'none';
  const native = loadMergeLoops(options.loops, T);
  const weights32 = Float32Array.from(w);

  return streamableKeyMerge((key: string, n: number): TensorMerge => {
    // (null: this model is not sparsified by magnitude)
    const keeps = models(T, (t) => {
      if (sparsification !== 'magnitude') return null;
      const k = magnitudeCount(densities[t], n, `density of model ${t + 1}`);
      if (k === undefined) return null;
      return new MagnitudeKeep(k, selectors.pop() ?? new MagnitudeSelector());
    });
    const streams = sparsification === 'random' ? models(T, (t) => dareStream(seed, t, key)) : [];
    const inputs = ({ base, models: xs }: KeyChunk) => {
      check(base, `${key}: this method needs a base model`);
      check(xs.length === T, () => `${key}: ${xs.length} models for ${T} weights`);
      return base;
    };
    let scanned = 0;
    const labels = models(T, (t) => `key '${key}' (model ${t + 1} − base), in a run of entries,`);
    const thresholdsFound = () => {
      for (const keep of keeps) {
        if (!keep?.selector) continue;
        keep.threshold = keep.selector.result();
        keep.ties = keep.k - keep.selector.above();
        selectors.push(keep.selector);
        keep.selector = undefined;
      }
    };
    return {
      passes: keeps.some((keep) => keep) ? 2 : 0,
      scan(pass, chunk) {
        const base = inputs(chunk);
        const len = base.length;
        if (pass === 1 && scanned === 0) {
          for (const keep of keeps) keep?.selector?.target(keep.k);
          scanned = 1;
        }
        if (scratch.length < len) scratch = new Float32Array(len);
        const d = scratch.subarray(0, len);
        for (let t = 0; t < T; t++) {
          const selector = keeps[t]?.selector;
          if (!selector) continue;
          const x = chunk.models[t];
          for (let j = 0; j < len; j++) d[j] = x[j] - base[j];
          if (pass === 0) selector.countPass1(d, labels[t]);
          else selector.countPass2(d);
        }
      },
      scanStored: native
        ? (pass, dtype, base, xs, start, count) => {
            check(base, `${key}: this method needs a base model`);
            check(xs.length === T, () => `${key}: ${xs.length} models for ${T} weights`);
            if (pass === 1 && scanned === 0) {
              for (const keep of keeps) keep?.selector?.target(keep.k);
              scanned = 1;
            }
            const bins = new Int32Array(T);
            const counts = keeps.map((keep, t) => {
              const selector = keep?.selector;
              if (!selector) return null;
              if (pass === 0) return selector.pass1Bins(count);
              const low = selector.pass2Bins(count);
              bins[t] = low.bin;
              return low.counts;
            });
            const firstNaN = new Float64Array(T);
            native.magnitudeScan(
              pass === 0 ? 0 : 1,
              DTYPE_CODES[dtype],
              base,
              xs,
              counts,
              bins,
              count,
              firstNaN,
            );
            firstNaN.forEach((at, t) => {
              if (at >= 0)
                throw new MergebenchError(
                  `key '${key}' (model ${t + 1} − base) contains NaN at entry ${start + at}: magnitudes must be numbers`,
                );
            });
          }
        : undefined,
      mergeStored: native
        ? (dtype, base, xs, start, count, outDtype, out) => {
            check(base, `${key}: this method needs a base model`);
            check(xs.length === T, () => `${key}: ${xs.length} models for ${T} weights`);
            if (scanned === 1) {
              thresholdsFound();
              scanned = 2;
            }
            const code = DTYPE_CODES[dtype];
            const outCode = DTYPE_CODES[outDtype];
            const scale = lambda !== 1;
            if (plain)
              return native.plain(
                code,
                base,
                xs,
                weights32,
                normalize ? plainDivisor : 1,
                scale,
                lf,
                count,
                outCode,
                out,
              );
            for (let t = 0; t < T; t++) {
              const keep = keeps[t];
              const rule = rules.subarray(t * RULE_FIELDS, (t + 1) * RULE_FIELDS);
              rule.fill(0);
              rule[1] = w[t];
              if (keep) {
                rule[0] = SPARSIFY_CODES.magnitude;
                rule[2] = keep.threshold;
                rule[3] = keep.ties;
              } else if (sparsification === 'random' && densities[t] < 1) {
                rule[0] = SPARSIFY_CODES.random;
                rule[4] = streams[t];
                rule[5] = Math.floor(densities[t] * 4294967296);
                rule[6] = rescale ? Math.fround(densities[t]) : 1;
              }
            }
            const bad = native.generalized(
              code,
              base,
              xs,
              rules,
              consensus === 'sum',
              normalize,
              plainDivisor,
              scale,
              lf,
              start,
              count,
              outCode,
              out,
            );
            keeps.forEach((keep, t) => {
              if (keep) keep.ties = rules[t * RULE_FIELDS + 3];
            });
            return bad;
          }
        : undefined,
      mergeBf16:
        plain && T === 3
          ? (base, xs, from, len, out) =>
              plainBf16Three(out, base, xs, w, normalize ? plainDivisor : 1, lambda !== 1, lf, from, len)
          : undefined,
      merge(chunk, start, out) {
        const base = inputs(chunk);
        if (scanned === 1) {
          thresholdsFound();
          scanned = 2;
        }
        if (plain) {
          plainMerge(out, base, chunk.models, w, normalize ? plainDivisor : 1, lambda !== 1, lf);
          return;
        }
        for (let from = 0; from < base.length; from += RUN) {
          const len = Math.min(RUN, base.length - from);
          for (let t = 0; t < T; t++) {
            const x = chunk.models[t];
            const keep = keeps[t];
            if (keep) weightedMagnitude(wd[t], x, base, w[t], keep, from, len);
            else if (sparsification === 'random' && densities[t] < 1) {
              const cut = Math.floor(densities[t] * 4294967296);
              const d = rescale ? Math.fround(densities[t]) : 1;
              weightedRandom(wd[t], x, base, w[t], streams[t], cut, d, from, start + from, len);
            } else weightedPlain(wd[t], x, base, w[t], from, len);
          }
          if (consensus === 'sum' && T === 3)
            electThree(out, base, wd, w, normalize, lambda !== 1, lf, from, len);
          else {
            mixed.fill(0);
            for (let t = 0; t < T; t++) addInto(mixed, wd[t], len);
            if (consensus === 'sum') {
              divisor.fill(0);
              electInto(mixed, divisor, wd, w, len);
            } else divisor.fill(plainDivisor);
            finish(out, base, mixed, divisor, normalize, lambda !== 1, lf, from, len);
          }
        }
      },
    };
  });
}

function models<V>(count: number, of: (t: number) => V): V[] {
  return Array.from({ length: count }, (_, t) => of(t));
}

/**
 * Task arithmetic in one pass: Σ fl(δᵢ·wᵢ) in model order, per element, with nothing stored
 * between the steps (the common case, and the one bound by memory traffic alone).
 */
function plainMerge(
  out: Float32Array,
  base: Float32Array,
  models: readonly Float32Array[],
  w: readonly number[],
  divisor: number,
  scale: boolean,
  lf: number,
) {
  const n = base.length;
  if (models.length === 3) {
    const [x0, x1, x2] = models;
    const [w0, w1, w2] = w;
    for (let i = 0; i < n; i++) {
      const b = base[i];
      let m = Math.fround(Math.fround(x0[i] - b) * w0);
      m = Math.fround(m + Math.fround(Math.fround(x1[i] - b) * w1));
      m = Math.fround(m + Math.fround(Math.fround(x2[i] - b) * w2));
      if (divisor !== 1) m = Math.fround(m / divisor);
      if (scale) m = Math.fround(m * lf);
      out[i] = b + m;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const b = base[i];
    let m = 0;
    for (let t = 0; t < models.length; t++)
      m = Math.fround(m + Math.fround(Math.fround(models[t][i] - b) * w[t]));
    if (divisor !== 1) m = Math.fround(m / divisor);
    if (scale) m = Math.fround(m * lf);
    out[i] = b + m;
  }
}

/** Float32 bits ↔ values, one element at a time. */
const bits32 = new Uint32Array(4);
const floats32 = new Float32Array(bits32.buffer);

/**
 * plainMerge for three models stored as BF16, decoding each entry as it is read and encoding the
 * result (to nearest even, as core's f32ToBf16) as it is written; returns how many results are
 * NaN or infinite.
 */
function plainBf16Three(
  out: Uint16Array,
  base: Uint16Array,
  models: readonly Uint16Array[],
  w: readonly number[],
  divisor: number,
  scale: boolean,
  lf: number,
  from: number,
  len: number,
): number {
  const [x0, x1, x2] = models;
  const [w0, w1, w2] = w;
  const bits = bits32;
  const f = floats32;
  let bad = 0;
  for (let i = from; i < from + len; i++) {
    bits[0] = base[i] << 16;
    bits[1] = x0[i] << 16;
    bits[2] = x1[i] << 16;
    bits[3] = x2[i] << 16;
    const b = f[0];
    let m = Math.fround(Math.fround(f[1] - b) * w0);
    m = Math.fround(m + Math.fround(Math.fround(f[2] - b) * w1));
    m = Math.fround(m + Math.fround(Math.fround(f[3] - b) * w2));
    if (divisor !== 1) m = Math.fround(m / divisor);
    if (scale) m = Math.fround(m * lf);
    f[0] = b + m;
    const r = bits[0];
    const a = r & 0x7fffffff;
    if (a >= 0x7f800000) bad++;
    out[i] = a > 0x7f800000 ? (r >>> 16) | 0x0040 : (r + 0x7fff + ((r >>> 16) & 1)) >>> 16;
  }
  return bad;
}

function addInto(acc: Float32Array, v: Float32Array, len: number) {
  for (let j = 0; j < len; j++) acc[j] += v[j];
}

/** From the sums in `mixed`: the elected sign's entries summed into `mixed`, their weights into `divisor`. */
function electInto(
  mixed: Float32Array,
  divisor: Float32Array,
  wd: readonly Float32Array[],
  w: readonly number[],
  len: number,
) {
  for (let j = 0; j < len; j++) {
    const sign = mixed[j] >= 0 ? 1 : -1;
    let sum = 0;
    let weight = 0;
    for (let t = 0; t < wd.length; t++) {
      const v = wd[t][j];
      if (Math.sign(v) !== sign) continue;
      sum = Math.fround(sum + v);
      weight = Math.fround(weight + w[t]);
    }
    mixed[j] = sum;
    divisor[j] = weight === 0 ? 1 : weight;
  }
}

/**
 * addInto, electInto and finish in one pass for three models, with the same float32 operations
 * in the same order and no data-dependent branch: an entry of the elected sign (v·s > 0: not 0,
 * not NaN) is added, any other adds ±0, which leaves a sum started at +0 unchanged. An entry that
 * is not finite (v·0 is NaN) takes the general path.
 */
function electThree(
  out: Float32Array,
  base: Float32Array,
  wd: readonly Float32Array[],
  w: readonly number[],
  normalize: boolean,
  scale: boolean,
  lf: number,
  from: number,
  len: number,
) {
  const [d0, d1, d2] = wd;
  const [w0, w1, w2] = w;
  for (let j = 0; j < len; j++) {
    const v0 = d0[j];
    const v1 = d1[j];
    const v2 = d2[j];
    const s = Math.fround(Math.fround(Math.fround(0 + v0) + v1) + v2) >= 0 ? 1 : -1;
    const k0 = +(v0 * s > 0);
    const k1 = +(v1 * s > 0);
    const k2 = +(v2 * s > 0);
    let sum = Math.fround(Math.fround(Math.fround(0 + v0 * k0) + v1 * k1) + v2 * k2);
    let weight = Math.fround(Math.fround(Math.fround(0 + w0 * k0) + w1 * k1) + w2 * k2);
    if (Number.isNaN(sum)) {
      sum = 0;
      weight = 0;
      for (const [v, wt] of [
        [v0, w0],
        [v1, w1],
        [v2, w2],
      ]) {
        if (Math.sign(v) !== s) continue;
        sum = Math.fround(sum + v);
        weight = Math.fround(weight + wt);
      }
    }
    let m = normalize ? Math.fround(sum / (weight === 0 ? 1 : weight)) : sum;
    if (scale) m = Math.fround(m * lf);
    out[from + j] = base[from + j] + m;
  }
}

function finish(
  out: Float32Array,
  base: Float32Array,
  mixed: Float32Array,
  divisor: Float32Array,
  normalize: boolean,
  scale: boolean,
  lf: number,
  from: number,
  len: number,
) {
  for (let j = 0; j < len; j++) {
    let m = normalize ? Math.fround(mixed[j] / divisor[j]) : mixed[j];
    if (scale) m = Math.fround(m * lf);
    out[from + j] = base[from + j] + m;
  }
}
