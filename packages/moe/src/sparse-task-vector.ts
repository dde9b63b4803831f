import { maskAtThreshold, topkThreshold, trimAtThreshold } from '@mergebench/task-vectors';

/** The kept entries of a pruned [out, in] weight task vector. */
export interface SparseEntries {
  /** Row-major positions o·in + k of the kept entries, ascending. */
  readonly positions: Int32Array;
  readonly values: Float32Array;
}

/**
 * Magnitude pruning of one weight task vector by the per-tensor top-k rule of
 * @mergebench/task-vectors (see its topk-mask.ts: keep = ⌊d·percent/100⌋, every entry at least
 * as large as the (keep + 1)-th largest magnitude survives, ties included), keeping `percent`
 * percent of its entries.
 */
export function pruneWeight(values: Float32Array, percent: number): SparseEntries {
  const mask = maskAtThreshold(values, topkThreshold([values], percent));
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i];
  const positions = new Int32Array(kept);
  const keptValues = new Float32Array(kept);
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    positions[n] = i;
    keptValues[n] = values[i];
    n++;
  }
  return { positions, values: keptValues };
}

/** One bias task vector pruned by the same rule, zeros in place of the pruned entries. */
export function pruneBias(values: Float32Array, percent: number): Float32Array {
  return trimAtThreshold(values, topkThreshold([values], percent));
}
