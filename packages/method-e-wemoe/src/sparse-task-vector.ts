import { maskAtThreshold, topkThreshold, trimAtThreshold } from '@mergebench/core';

/** The entries of a pruned [out, in] weight task vector, addressed in the transposed [in, out] layout. */
export interface SparseEntries {
  /** Positions k·out + o of the kept entries, ascending. */
  readonly positions: Int32Array;
  readonly values: Float32Array;
}

/**
 * Magnitude pruning of one weight task vector [out, in] by core's per-tensor top-k rule (see
 * topk-mask.ts in core: ties at the threshold survive), keeping `percent` percent; the survivors
 * are returned at their positions in the transposed [in, out] layout the upscaled Linear uses.
 */
export function pruneWeight(values: Float32Array, out: number, inF: number, percent: number): SparseEntries {
  const mask = maskAtThreshold(values, topkThreshold([values], percent));
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i];
  const positions = new Int32Array(kept);
  const keptValues = new Float32Array(kept);
  let n = 0;
  for (let k = 0; k < inF; k++) {
    for (let o = 0; o < out; o++) {
      if (mask[o * inF + k] === 0) continue;
      positions[n] = k * out + o;
      keptValues[n] = values[o * inF + k];
      n++;
    }
  }
  return { positions, values: keptValues };
}

/** One bias task vector pruned by the same rule, zeros in place of the pruned entries. */
export function pruneBias(values: Float32Array, percent: number): Float32Array {
  return trimAtThreshold(values, topkThreshold([values], percent));
}
