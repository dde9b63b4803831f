/**
 * mergekit's `linear`: Σᵢ wᵢθᵢ, divided by Σᵢ wᵢ when normalising (its default), in float32 and
 * in model order. The base model takes part only if it is one of the listed models. Where
 * @mergebench/merge-loops' addon is built (`loops`, as generalized-key.ts), the TensorMerge also
 * merges stored entries natively (`mergeStored`), equal bit for bit.
 */
import { check } from '@mergebench/core';
import { DTYPE_CODES, type LoopsChoice, loadMergeLoops } from '@mergebench/merge-loops';
import { type StreamableKeyMerge, streamableKeyMerge } from './key-merge.js';

export function linearKeyMerge(
  weights: readonly number[],
  normalize = true,
  loops?: LoopsChoice,
): StreamableKeyMerge {
  const w = weights.map((x) => Math.fround(x));
  const weights32 = Float32Array.from(w);
  let total = 0;
  for (const x of w) total = Math.fround(total + x);
  const native = loadMergeLoops(loops, w.length);
  return streamableKeyMerge((key) => ({
    passes: 0,
    scan() {},
    merge({ models }, _start, out) {
      check(models.length === w.length, () => `${key}: ${models.length} models for ${w.length} weights`);
      const n = out.length;
      out.fill(0);
      models.forEach((x, t) => {
        for (let i = 0; i < n; i++) out[i] += Math.fround(x[i] * w[t]);
      });
      if (normalize) for (let i = 0; i < n; i++) out[i] = out[i] / total;
    },
    mergeStored: native
      ? (dtype, _base, models, _start, count, outDtype, out) => {
          check(models.length === w.length, () => `${key}: ${models.length} models for ${w.length} weights`);
          return native.linear(
            DTYPE_CODES[dtype],
            models,
            weights32,
            normalize,
            total,
            count,
            DTYPE_CODES[outDtype],
            out,
          );
        }
      : undefined,
  }));
}
