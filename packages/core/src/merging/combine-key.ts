/**
 * One key of a task-vector merge, in float32 typed-array loops: τᵢ = θᵢ − θ₀, trimmed at each
 * model's magnitude threshold, elected, combined, and θ₀ + λ·merged.
 *
 * Every step rounds to float32 where the reference's chain of float32 tensor ops does (τᵢ, the
 * running sums over models in pool order, the mean's division, λ·merged, the final addition),
 * and task arithmetic (no trim, no election, sum) gives exactly core's taskArithmeticTensor.
 * Loops run over one model at a time so each inner loop reads two arrays front to back; the
 * differences are recomputed rather than stored, which keeps the memory at a few arrays of
 * the key's size.
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

/** τ, or 0 when trimmed. NaN is never trimmed, so a broken model shows in the output. */
function trimmed(x: number, p: number, threshold: number): number {
  const d = Math.fround(x - p);
  return Math.abs(d) < threshold ? 0 : d;
}

/** θ₀ + λ·merged, in place over `merged`. */
function applyScaled(merged: Float32Array, pretrained: Float32Array, scalingFactor: number): Float32Array {
  const lf = Math.fround(scalingFactor);
  for (let i = 0; i < merged.length; i++) merged[i] = pretrained[i] + Math.fround(merged[i] * lf);
  return merged;
}

/** Σ trimmed τ over models (float32, pool order) into `acc`; with `counts`, also counts the non-zero ones. */
function sumTrimmed(inputs: KeyInputs, acc: Float32Array, counts?: Uint32Array): void {
  const { pretrained: p, finetuned, thresholds } = inputs;
  finetuned.forEach((x, t) => {
    const threshold = thresholds[t];
    for (let i = 0; i < acc.length; i++) {
      const v = trimmed(x[i], p[i], threshold);
      acc[i] += v;
      if (counts && v !== 0) counts[i]++;
    }
  });
}

/** The trimmed entry of largest magnitude (the first of equal magnitudes), with its sign. */
function largestTrimmed(inputs: KeyInputs, best: Float32Array): void {
  const { pretrained: p, finetuned, thresholds } = inputs;
  finetuned.forEach((x, t) => {
    const threshold = thresholds[t];
    for (let i = 0; i < best.length; i++) {
      const v = trimmed(x[i], p[i], threshold);
      if (Math.abs(v) > Math.abs(best[i])) best[i] = v;
    }
  });
}

function divideByCounts(acc: Float32Array, counts: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i] / Math.max(counts[i], 1);
}

function combineWithoutElection(inputs: KeyInputs, rules: KeyRules, scratch: CombineScratch): CombinedKey {
  const n = inputs.pretrained.length;
  const merged = new Float32Array(n);
  if (rules.combine === 'max') largestTrimmed(inputs, merged);
  else if (rules.combine === 'mean') {
    const counts = scratch.counts(n);
    sumTrimmed(inputs, merged, counts);
    divideByCounts(merged, counts);
  } else sumTrimmed(inputs, merged);
  return {
    output: applyScaled(merged, inputs.pretrained, rules.scalingFactor),
    pending: undefined,
    positive: 0,
    negative: 0,
  };
}

/** Whether v takes part under elected sign s: positives when s > 0, else negatives (as the reference). */
function agrees(v: number, s: number): boolean {
  return s > 0 ? v > 0 : v < 0;
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

function combineWithSignElection(inputs: KeyInputs, rules: KeyRules, scratch: CombineScratch): CombinedKey {
  const { pretrained: p, finetuned, thresholds } = inputs;
  const { combine, scalingFactor } = rules;
  const n = p.length;
  // The elected sign of coordinate i is the sign of sums[i].
  const sums = scratch.floats(n);
  sumTrimmed(inputs, sums);

  const merged = new Float32Array(n);
  const counts = combine === 'mean' ? scratch.counts(n) : undefined;
  // Non-zero entries whose sum is exactly zero: they wait for the majority sign (pending-signs.ts).
  const cancelled = scratch.flags(n);
  let anyCancelled = false;
  finetuned.forEach((x, t) => {
    const threshold = thresholds[t];
    for (let i = 0; i < n; i++) {
      const v = trimmed(x[i], p[i], threshold);
      if (v === 0) continue;
      const s = sums[i];
      if (s === 0) {
        cancelled[i] = 1;
        anyCancelled = true;
      } else if (agrees(v, s)) {
        if (combine === 'max') merged[i] = Math.max(merged[i], Math.abs(v));
        else {
          merged[i] += v;
          if (counts) counts[i]++;
        }
      }
    }
  });
  if (counts) divideByCounts(merged, counts);

  // One last pass: count the elected signs, sign the maxima, and θ₀ + λ·merged in place.
  let positive = 0;
  let negative = 0;
  const lf = Math.fround(scalingFactor);
  for (let i = 0; i < n; i++) {
    const s = sums[i];
    if (s > 0) positive++;
    else if (s < 0) negative++;
    const m = combine === 'max' && s < 0 ? -merged[i] : merged[i];
    merged[i] = p[i] + Math.fround(m * lf);
  }

  let pending: PendingSigns | undefined;
  if (anyCancelled) {
    pending = new PendingSigns();
    const outputFor = (i: number, s: number) =>
      Math.fround(p[i] + Math.fround(mergedAt(inputs, i, s, combine) * lf));
    for (let i = 0; i < n; i++) {
      if (cancelled[i]) pending.add(i, outputFor(i, 1), outputFor(i, -1), outputFor(i, 0));
    }
  }
  return { output: merged, pending, positive, negative };
}

/**
 * Working arrays reused from key to key (zeroed on each request), so that merging a key
 * allocates only its output: fresh memory costs page faults that can outweigh the arithmetic.
 */
export class CombineScratch {
  private floatBuffer = new Float32Array(0);
  private countBuffer = new Uint32Array(0);
  private flagBuffer = new Uint8Array(0);

  floats(n: number): Float32Array {
    if (this.floatBuffer.length < n) this.floatBuffer = new Float32Array(n);
    return this.floatBuffer.subarray(0, n).fill(0);
  }

  counts(n: number): Uint32Array {
    if (this.countBuffer.length < n) this.countBuffer = new Uint32Array(n);
    return this.countBuffer.subarray(0, n).fill(0);
  }

  flags(n: number): Uint8Array {
    if (this.flagBuffer.length < n) this.flagBuffer = new Uint8Array(n);
    return this.flagBuffer.subarray(0, n).fill(0);
  }
}

/** Merges one key; the inputs must all have the pretrained array's length. */
export function combineKey(inputs: KeyInputs, rules: KeyRules, scratch = new CombineScratch()): CombinedKey {
  return rules.elect === 'sign'
    ? combineWithSignElection(inputs, rules, scratch)
    : combineWithoutElection(inputs, rules, scratch);
}
