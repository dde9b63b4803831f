/**
 * Top-k% magnitude trimming as in the reference TIES implementation (`topk_values_mask`):
 * for d entries and k percent, keep = floor(d · (k / 100)); unless keep == d, the threshold is
 * the (d − keep)-th smallest |x| (torch.kthvalue, 1-based), which is the (keep + 1)-th largest,
 * and an entry survives when |x| ≥ threshold. Ties at the threshold all survive, so more than
 * `keep` entries may be kept; keep == 0 keeps the entries of maximal magnitude.
 *
 * Differences from the reference, on purpose: k is always a percentage (the reference reads k ≤ 1
 * as a fraction), and keep == d keeps everything (where torch.kthvalue(0) would fail); that case
 * is returned as threshold 0, since |x| ≥ 0 holds for every number, and the data is not read.
 */

import type { StateDict } from '@mergebench/core';
import { check, float32Values } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { MagnitudeSelector } from './magnitude-select.js';

/** One threshold over all tensors of the model (TIES), or one per tensor. */
export type TopkScope = 'model' | 'tensor';

export function assertTopkPercent(k: number): void {
  check(Number.isFinite(k) && k > 0 && k <= 100, () => `k must be a percentage in (0, 100], got ${k}`);
}

/** Entries kept out of d at k percent, computed in float64 as the reference does (e.g. 29% of 100 is 28). */
export function topkKeepCount(d: number, k: number): number {
  assertTopkPercent(k);
  return Math.floor(d * (k / 100));
}

/** The magnitude threshold over all arrays together; 0 when everything is kept. */
export function topkThreshold(
  arrays: readonly Float32Array[],
  k: number,
  labels?: readonly string[],
): number {
  const d = arrays.reduce((n, values) => n + values.length, 0);
  const keep = topkKeepCount(d, k);
  if (keep === d) return 0;
  const selector = new MagnitudeSelector();
  arrays.forEach((values, i) => {
    selector.countPass1(values, labels?.[i] ?? `array #${i + 1}`);
  });
  selector.target(keep + 1);
  for (const values of arrays) selector.countPass2(values);
  return selector.result();
}

/** 1 where |x| ≥ threshold, else 0. */
export function maskAtThreshold(values: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) mask[i] = Math.abs(values[i]) >= threshold ? 1 : 0;
  return mask;
}

/** x · mask, so trimmed negative entries become -0 exactly as the reference's `M * mask`. */
export function trimAtThreshold(values: Float32Array, threshold: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * (Math.abs(values[i]) >= threshold ? 1 : 0);
  return out;
}

/** Thresholds per key: the same value for every key with scope 'model'. */
export function topkThresholds(sd: StateDict, k: number, scope: TopkScope): Map<string, number> {
  const keys = [...sd.keys()];
  const arrays = keys.map((key) => float32Values(sd.get(key)!));
  const labels = keys.map((key) => `key '${key}'`);
  if (scope === 'model') {
    const threshold = topkThreshold(arrays, k, labels);
    return new Map(keys.map((key) => [key, threshold]));
  }
  return new Map(keys.map((key, i) => [key, topkThreshold([arrays[i]], k, [labels[i]])]));
}

/** Bool tensors marking the entries that top-k% trimming keeps. */
export function topkMask(sd: StateDict, k: number, scope: TopkScope): StateDict {
  const thresholds = topkThresholds(sd, k, scope);
  return new Map(
    [...sd].map(([key, t]) => [
      key,
      tf.tensor(maskAtThreshold(float32Values(t), thresholds.get(key)!), t.shape, 'bool'),
    ]),
  );
}

/** The tensors with every entry below the top-k% threshold set to zero (float32). */
export function trimTopk(sd: StateDict, k: number, scope: TopkScope): StateDict {
  const thresholds = topkThresholds(sd, k, scope);
  return new Map(
    [...sd].map(([key, t]) => [
      key,
      tf.tensor(trimAtThreshold(float32Values(t), thresholds.get(key)!), t.shape, 'float32'),
    ]),
  );
}
