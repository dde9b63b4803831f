/**
 * One key of a task-vector merge, in float32 typed-array loops: τᵢ = θᵢ − θ₀, trimmed at each
 * model's magnitude threshold, elected, combined, and θ₀ + λ·merged.
 *
 * Every step rounds to float32 where the reference's chain of float32 tensor ops does (τᵢ, the
 * running sums over models in pool order, the mean's division, λ·merged, the final addition),
 * and task arithmetic (no trim, no election, sum) gives exactly core's taskArithmeticTensor.
 *
 * The work goes chunk by chunk: all passes over one chunk of every model run while the chunk is
 * in cache, so each input is read from memory once. Passing over whole tensors model after model
 * instead moves several times the data, and a merge of large models is bound by memory traffic.
 * Differences are recomputed in each pass rather than stored.
 */
import type { CombineRule, ElectRule } from './merge-rules.js';
import { PendingSigns } from './pending-signs.js';

export interface KeyInputs {
  readonly pretrained: Float32Array;
  /** The fine-tuned values, in pool order. */
  readonly finetuned: readonly Float32Array[];
  /** Per fine-tuned model, the smallest |τ| that survives trimming (0 keeps every entry). */
  readonly thresholds: readonly number[];
}

export interface KeyRules {
  readonly elect: ElectRule;
  readonly combine: CombineRule;
  readonly scalingFactor: number;
}

export interface CombinedKey {
  readonly output: Float32Array;
  /** Coordinates whose output depends on the merge's majority sign (sign election only). */
  readonly pending: PendingSigns | undefined;
  /** Coordinates whose elected sign is positive / negative (sign election only). */
  readonly positive: number;
  readonly negative: number;
}

/** Elements per chunk: a chunk of every model (8 models: 128 KiB) and the working arrays stay in L2. */
const CHUNK = 4096;

/*
 * The loops below are small functions called once per chunk and model, so that the JIT sees
 * many calls with the same types and compiles each loop tightly.
 */

/** τ, or 0 when trimmed. NaN is never trimmed, so a broken model shows in the output. */
function trimmed(x: number, p: number, threshold: number): number {
  const d = Math.fround(x - p);
  return Math.abs(d) < threshold ? 0 : d;
}

/** Whether v takes part under elected sign s: positives when s > 0, else negatives (as the reference). */
function agrees(v: number, s: number): boolean {
  return s > 0 ? v > 0 : v < 0;
}

/**
 * Folds one model's trimmed τ over [start, end) into acc[i − start] by the combine rule: `sum`
 * adds it (float32); `mean` adds it and counts the non-zero entries; `max` keeps the entry of
 * largest magnitude (the first of equal ones) with its sign.
 */
function foldTrimmed(
  acc: Float32Array,
  counts: Uint32Array,
  combine: CombineRule,
  x: Float32Array,
  p: Float32Array,
  threshold: number,
  start: number,
  end: number,
): void {
  if (combine === 'max') {
    for (let i = start; i < end; i++) {
      const v = trimmed(x[i], p[i], threshold);
      if (Math.abs(v) > Math.abs(acc[i - start])) acc[i - start] = v;
    }
    return;
  }
  const count = combine === 'mean';
  for (let i = start; i < end; i++) {
    const v = trimmed(x[i], p[i], threshold);
    acc[i - start] += v;
    if (count && v !== 0) counts[i - start]++;
  }
}

/**
 * As foldTrimmed, only the entries agreeing with the elected sign (the sign of sums): summed into
 * acc and counted, or with `max` their largest magnitude kept (unsigned: signLargest signs it);
 * flags the non-zero entries whose sum is exactly zero. Returns whether any was flagged.
 */
function foldAgreeing(
  acc: Float32Array,
  counts: Uint32Array,
  cancelled: Uint8Array,
  sums: Float32Array,
  max: boolean,
  x: Float32Array,
  p: Float32Array,
  threshold: number,
  start: number,
  end: number,
): boolean {
  let any = false;
  for (let i = start; i < end; i++) {
    const v = trimmed(x[i], p[i], threshold);
    if (v === 0) continue;
    const j = i - start;
    const s = sums[j];
    if (s === 0) {
      cancelled[j] = 1;
      any = true;
    } else if (agrees(v, s)) {
      if (max) acc[j] = Math.max(acc[j], Math.abs(v));
      else {
        acc[j] += v;
        counts[j]++;
      }
    }
  }
  return any;
}

/** output[i] = θ₀ + λ·merged[i − start]. */
function applyScaled(
  output: Float32Array,
  p: Float32Array,
  merged: Float32Array,
  lf: number,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) output[i] = p[i] + Math.fround(merged[i - start] * lf);
}

/** merged[j] /= max(counts[j], 1) (float32). */
function divideByCounts(merged: Float32Array, counts: Uint32Array, length: number): void {
  for (let j = 0; j < length; j++) merged[j] = merged[j] / Math.max(counts[j], 1);
}

/** Gives each maximum the elected sign (0 where the sum is 0). */
function signLargest(largest: Float32Array, sums: Float32Array, length: number): void {
  for (let j = 0; j < length; j++) largest[j] = sums[j] > 0 ? largest[j] : sums[j] < 0 ? -largest[j] : 0;
}

/** Working arrays of one chunk, indexed from the chunk's start. */
class ChunkArrays {
  readonly merged = new Float32Array(CHUNK);
  readonly sums = new Float32Array(CHUNK);
  readonly counts = new Uint32Array(CHUNK);
  readonly cancelled = new Uint8Array(CHUNK);
}

function combineWithoutElection(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  const { pretrained: p, finetuned, thresholds } = inputs;
  const n = p.length;
  const output = new Float32Array(n);
  const lf = Math.fround(rules.scalingFactor);
  const work = new ChunkArrays();
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const merged = work.merged.fill(0);
    const counts = work.counts.fill(0);
    for (let t = 0; t < finetuned.length; t++)
      foldTrimmed(merged, counts, rules.combine, finetuned[t], p, thresholds[t], start, end);
    if (rules.combine === 'mean') divideByCounts(merged, counts, end - start);
    applyScaled(output, p, merged, lf, start, end);
  }
  return { output, pending: undefined, positive: 0, negative: 0 };
}

/** The merged value of one coordinate under elected sign s, model by model. */
function mergedAt(inputs: KeyInputs, i: number, s: number, combine: CombineRule): number {
  const { pretrained: p, finetuned, thresholds } = inputs;
  let sum = 0;
  let count = 0;
  let largest = 0;
  for (let t = 0; t < finetuned.length; t++) {
    const v = trimmed(finetuned[t][i], p[i], thresholds[t]);
    if (!agrees(v, s)) continue;
    sum = Math.fround(sum + v);
    count++;
    largest = Math.max(largest, Math.abs(v));
  }
  if (combine === 'sum') return sum;
  if (combine === 'mean') return Math.fround(sum / Math.max(count, 1));
  return Math.fround(largest * s);
}

function countSigns(sums: Float32Array, length: number): { positive: number; negative: number } {
  let positive = 0;
  let negative = 0;
  for (let j = 0; j < length; j++) {
    if (sums[j] > 0) positive++;
    else if (sums[j] < 0) negative++;
  }
  return { positive, negative };
}

function combineWithSignElection(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  const { pretrained: p, finetuned, thresholds } = inputs;
  const { combine } = rules;
  const max = combine === 'max';
  const n = p.length;
  const output = new Float32Array(n);
  const lf = Math.fround(rules.scalingFactor);
  const work = new ChunkArrays();
  let positive = 0;
  let negative = 0;
  let pending: PendingSigns | undefined;

  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const length = end - start;
    // The elected sign of coordinate i is the sign of sums[i − start].
    const sums = work.sums.fill(0);
    for (let t = 0; t < finetuned.length; t++)
      foldTrimmed(sums, work.counts, 'sum', finetuned[t], p, thresholds[t], start, end);
    const signs = countSigns(sums, length);
    positive += signs.positive;
    negative += signs.negative;

    const merged = work.merged.fill(0);
    // Non-zero entries whose sum is exactly zero wait for the majority sign (pending-signs.ts).
    const cancelled = work.cancelled.fill(0);
    let anyCancelled = false;
    const counts = work.counts.fill(0);
    for (let t = 0; t < finetuned.length; t++) {
      const x = finetuned[t];
      const found = foldAgreeing(merged, counts, cancelled, sums, max, x, p, thresholds[t], start, end);
      anyCancelled ||= found;
    }
    if (combine === 'max') signLargest(merged, sums, length);
    else if (combine === 'mean') divideByCounts(merged, counts, length);
    applyScaled(output, p, merged, lf, start, end);

    if (anyCancelled) {
      pending ??= new PendingSigns();
      for (let j = 0; j < length; j++) {
        if (!cancelled[j]) continue;
        const i = start + j;
        const outputFor = (s: number) =>
          Math.fround(p[i] + Math.fround(mergedAt(inputs, i, s, combine) * lf));
        pending.add(i, outputFor(1), outputFor(-1), outputFor(0));
      }
    }
  }
  return { output, pending, positive, negative };
}

/** Merges one key; the inputs must all have the pretrained array's length. */
export function combineKey(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  return rules.elect === 'sign'
    ? combineWithSignElection(inputs, rules)
    : combineWithoutElection(inputs, rules);
}
