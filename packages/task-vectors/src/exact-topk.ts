/**
 * mergekit's magnitude sparsification of one tensor: keep exactly k = ⌊density·n⌋ entries of
 * largest |x| and zero the rest. mergekit takes them from `argsort(|x|, descending)[:k]`, whose
 * order among equal magnitudes is unspecified; here ties at the threshold go to the lower index
 * (a stable sort, as the reference transcription uses), so the result is deterministic.
 * O(n): the k-th largest magnitude comes from core's histogram selection, not a sort.
 */
import { MergebenchError } from '@mergebench/core';
import { kthLargestMagnitude } from './magnitude-select.js';

/** Zeroes in place all but the k = ⌊density·n⌋ largest-magnitude entries of `values`. */
export function keepTopkExactly(values: Float32Array, density: number, what: string): void {
  if (density >= 1) return;
  const n = values.length;
  const k = Math.floor(density * n);
  if (k <= 0) {
    throw new MergebenchError(
      `${what}: density ${density} keeps no entry of a tensor of ${n} values (mergekit refuses this too)`,
    );
  }
  const threshold = kthLargestMagnitude([values], k);
  let above = 0;
  for (let i = 0; i < n; i++) if (Math.abs(values[i]) > threshold) above++;
  let tiesLeft = k - above;
  for (let i = 0; i < n; i++) {
    const m = Math.abs(values[i]);
    if (m > threshold) continue;
    if (m === threshold && tiesLeft > 0) tiesLeft--;
    else values[i] = 0;
  }
}
