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

/** τ, or 0 when trimmed. NaN is never trimmed, so a broken model shows in the output. */
function trimmed(x: number, p: number, threshold: number): number {
  const d = Math.fround(x - p);
  return Math.abs(d) < threshold ? 0 : d;
}

/** Whether v takes part under elected sign s: positives when s > 0, else negatives (as the reference). */
function agrees(v: number, s: number): boolean {
  return s > 0 ? v > 0 : v < 0;
}

/** Working arrays of one chunk, indexed from the chunk's start. */
class ChunkArrays {
  readonly sums = new Float32Array(CHUNK);
  readonly counts = new Uint32Array(CHUNK);
  readonly cancelled = new Uint8Array(CHUNK);
}

/** out[start, end) += Σ trimmed τ over models (float32, pool order); counts the non-zero ones when asked. */
function sumTrimmed(inputs: KeyInputs, out: Float32Array, start: number, end: number, counts?: Uint32Array): void {
  const { pretrained: p, finetuned, thresholds } = inputs;
  for (let t = 0; t < finetuned.length; t++) {
    const x = finetuned[t];
    const threshold = thresholds[t];
    for (let i = start; i < end; i++) {
      const v = trimmed(x[i], p[i], threshold);
      out[i - start] += v;
      if (counts && v !== 0) counts[i - start]++;
    }
  }
}

function combineWithoutElection(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  const { pretrained: p, finetuned, thresholds } = inputs;
  const n = p.length;
  const output = new Float32Array(n);
  const lf = Math.fround(rules.scalingFactor);
  const work = new ChunkArrays();
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const merged = work.sums.fill(0);
    if (rules.combine === 'max') {
      // The trimmed entry of largest magnitude (the first of equal magnitudes), with its sign.
      for (let t = 0; t < finetuned.length; t++) {
        const x = finetuned[t];
        const threshold = thresholds[t];
        for (let i = start; i < end; i++) {
          const v = trimmed(x[i], p[i], threshold);
          if (Math.abs(v) > Math.abs(merged[i - start])) merged[i - start] = v;
        }
      }
    } else if (rules.combine === 'mean') {
      const counts = work.counts.fill(0);
      sumTrimmed(inputs, merged, start, end, counts);
      for (let j = 0; j < end - start; j++) merged[j] = merged[j] / Math.max(counts[j], 1);
    } else sumTrimmed(inputs, merged, start, end);
    for (let i = start; i < end; i++) output[i] = p[i] + Math.fround(merged[i - start] * lf);
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

function combineWithSignElection(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  const { pretrained: p, finetuned, thresholds } = inputs;
  const { combine } = rules;
  const n = p.length;
  const output = new Float32Array(n);
  const lf = Math.fround(rules.scalingFactor);
  const work = new ChunkArrays();
  let positive = 0;
  let negative = 0;
  let pending: PendingSigns | undefined;

  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    // The elected sign of coordinate i is the sign of sums[i − start].
    const sums = work.sums.fill(0);
    sumTrimmed(inputs, sums, start, end);
    const counts = work.counts.fill(0);
    // Non-zero entries whose sum is exactly zero wait for the majority sign (pending-signs.ts).
    const cancelled = work.cancelled.fill(0);
    let anyCancelled = false;
    for (let t = 0; t < finetuned.length; t++) {
      const x = finetuned[t];
      const threshold = thresholds[t];
      for (let i = start; i < end; i++) {
        const v = trimmed(x[i], p[i], threshold);
        if (v === 0) continue;
        const j = i - start;
        const s = sums[j];
        if (s === 0) {
          cancelled[j] = 1;
          anyCancelled = true;
        } else if (agrees(v, s)) {
          if (combine === 'max') output[i] = Math.max(output[i], Math.abs(v));
          else {
            output[i] += v;
            counts[j]++;
          }
        }
      }
    }
    // Count the elected signs, sign the maxima, divide the means, and θ₀ + λ·merged in place.
    for (let i = start; i < end; i++) {
      const j = i - start;
      const s = sums[j];
      if (s > 0) positive++;
      else if (s < 0) negative++;
      let m = output[i];
      if (combine === 'mean') m = Math.fround(m / Math.max(counts[j], 1));
      else if (combine === 'max' && s < 0) m = -m;
      output[i] = p[i] + Math.fround(m * lf);
    }
    if (anyCancelled) {
      pending ??= new PendingSigns();
      for (let i = start; i < end; i++) {
        if (!cancelled[i - start]) continue;
        const outputFor = (s: number) => Math.fround(p[i] + Math.fround(mergedAt(inputs, i, s, combine) * lf));
        pending.add(i, outputFor(1), outputFor(-1), outputFor(0));
      }
    }
  }
  return { output, pending, positive, negative };
}

/** Merges one key; the inputs must all have the pretrained array's length. */
export function combineKey(inputs: KeyInputs, rules: KeyRules): CombinedKey {
  return rules.elect === 'sign' ? combineWithSignElection(inputs, rules) : combineWithoutElection(inputs, rules);
}
