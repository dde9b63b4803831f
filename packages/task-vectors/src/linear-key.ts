/**
 * mergekit's `linear`: Σᵢ wᵢθᵢ, divided by Σᵢ wᵢ when normalising (its default), in float32 and
 * in model order. The base model takes part only if it is one of the listed models.
 */
import { check } from '@mergebench/core';
import { type StreamableKeyMerge, streamableKeyMerge } from './key-merge.js';

export function linearKeyMerge(weights: readonly number[], normalize = true): StreamableKeyMerge {
  const w = weights.map((x) => Math.fround(x));
  let total = 0;
  for (const x of w) total = Math.fround(total + x);
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
  }));
}
