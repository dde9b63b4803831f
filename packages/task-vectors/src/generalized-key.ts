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
 * The work goes chunk by chunk with every model's chunk in cache (as combine-key.ts), and δ is
 * recomputed where needed rather than stored: a merge of large models is bound by memory
 * traffic. Magnitude sparsification first finds each model's threshold and how many entries
 * equal to it survive (the lowest indices), then keeps entries in index order in the same pass.
 */
import { check, MergebenchError } from '@mergebench/core';
import { dareStream, lowbias32 } from './dare-mask.js';
import type { KeyMerge, KeyMergeInputs } from './key-merge.js';
import { kthLargestMagnitude } from './magnitude-select.js';

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
}

const CHUNK = 4096;

/** wd[j] = fl(δ·w) for i in [start, end), no sparsification. */
function weightedPlain(
  wd: Float32Array,
  x: Float32Array,
  b: Float32Array,
  w: number,
  start: number,
  end: number,
) {
  for (let i = start; i < end; i++) wd[i - start] = Math.fround(x[i] - b[i]) * w;
}

/** Per model: keep |δ| > threshold, and the first `ties` entries with |δ| = threshold. */
class MagnitudeKeep {
  constructor(
    readonly threshold: number,
    public ties: number,
  ) {}
}

function weightedMagnitude(
  wd: Float32Array,
  x: Float32Array,
  b: Float32Array,
  w: number,
  keep: MagnitudeKeep,
  start: number,
  end: number,
) {
  const threshold = keep.threshold;
  let ties = keep.ties;
  for (let i = start; i < end; i++) {
    const d = Math.fround(x[i] - b[i]);
    const m = Math.abs(d);
    if (m > threshold) wd[i - start] = d * w;
    else if (m === threshold && ties > 0) {
      ties--;
      wd[i - start] = d * w;
    } else wd[i - start] = 0;
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
  start: number,
  end: number,
) {
  for (let i = start; i < end; i++) {
    const d = Math.fround(x[i] - b[i]);
    wd[i - start] = lowbias32((stream + i) >>> 0) < cut ? Math.fround(d / divisor) * w : 0;
  }
}

/** The threshold and tie allowance that keep exactly ⌊density·n⌋ entries of |x − b|. */
function magnitudeKeep(
  x: Float32Array,
  b: Float32Array,
  density: number,
  scratch: Float32Array,
  what: string,
) {
  const n = b.length;
  if (density >= 1) return new MagnitudeKeep(-1, 0);
  const k = Math.floor(density * n);
  if (k <= 0)
    throw new MergebenchError(
      `${what}: density ${density} keeps no entry of a tensor of ${n} values (mergekit refuses this too)`,
    );
  const d = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) d[i] = x[i] - b[i];
  const threshold = kthLargestMagnitude([d], k);
  let above = 0;
  for (let i = 0; i < n; i++) if (Math.abs(d[i]) > threshold) above++;
  return new MagnitudeKeep(threshold, k - above);
}

export function generalizedKeyMerge(options: GeneralizedMergeOptions): KeyMerge {
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
  const wd = Array.from({ length: T }, () => new Float32Array(CHUNK));
  const mixed = new Float32Array(CHUNK);
  const divisor = new Float32Array(CHUNK);
  let scratch = new Float32Array(0);

  return ({ key, base, models }: KeyMergeInputs, output?: Float32Array) => {
    check(base, `${key}: this method needs a base model`);
    check(models.length === T, () => `${key}: ${models.length} models for ${T} weights`);
    const n = base.length;
    const out = output ?? new Float32Array(n);
    let keeps: MagnitudeKeep[] = [];
    if (sparsification === 'magnitude') {
      if (scratch.length < n) scratch = new Float32Array(n);
      keeps = models.map((x, t) =>
        magnitudeKeep(x, base, densities[t], scratch, `density of model ${t + 1}`),
      );
    }
    if (sparsification === 'none' && consensus === 'none') {
      plainMerge(out, base, models, w, normalize ? plainDivisor : 1, lambda !== 1, lf);
      return out;
    }
    const streams = models.map((_, t) => dareStream(seed, t, key));
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const len = end - start;
      for (let t = 0; t < T; t++) {
        if (sparsification === 'magnitude' && densities[t] < 1)
          weightedMagnitude(wd[t], models[t], base, w[t], keeps[t], start, end);
        else if (sparsification === 'random' && densities[t] < 1) {
          const cut = Math.floor(densities[t] * 4294967296);
          weightedRandom(
            wd[t],
            models[t],
            base,
            w[t],
            streams[t],
            cut,
            rescale ? Math.fround(densities[t]) : 1,
            start,
            end,
          );
        } else weightedPlain(wd[t], models[t], base, w[t], start, end);
      }
      mixed.fill(0);
      if (consensus === 'sum') {
        for (let t = 0; t < T; t++) addInto(mixed, wd[t], len);
        divisor.fill(0);
        electInto(mixed, divisor, wd, w, len);
      } else {
        for (let t = 0; t < T; t++) addInto(mixed, wd[t], len);
        divisor.fill(plainDivisor);
      }
      finish(out, base, mixed, divisor, normalize, lambda !== 1, lf, start, end);
    }
    return out;
  };
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

function finish(
  out: Float32Array,
  base: Float32Array,
  mixed: Float32Array,
  divisor: Float32Array,
  normalize: boolean,
  scale: boolean,
  lf: number,
  start: number,
  end: number,
) {
  for (let i = start; i < end; i++) {
    const j = i - start;
    let m = normalize ? Math.fround(mixed[j] / divisor[j]) : mixed[j];
    if (scale) m = Math.fround(m * lf);
    out[i] = base[i] + m;
  }
}
