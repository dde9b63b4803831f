/**
 * Whole-model top-k% magnitude thresholds (see topk-mask.ts) of models on disk, or of their task
 * vectors θᵢ − θ₀, in two passes over the keys. Each key is read once per pass from every source
 * and the pretrained one, so peak memory is one tensor per source plus one key's difference: no
 * task vector is materialized.
 */

import type { TensorSource } from '@mergebench/core';
import { check, compatibleSourceKeys, float32Values, readAll } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { MagnitudeSelector } from './magnitude-select.js';
import { topkKeepCount } from './topk-mask.js';

export interface StreamTopkThresholdsOptions {
  /** The (fine-tuned) models; one threshold is computed for each. */
  readonly sources: readonly TensorSource[];
  /** When given, each threshold is over the task vector `source − pretrained`. */
  readonly pretrained?: TensorSource;
  /** Percentage kept, in (0, 100]. */
  readonly k: number;
  /** Keys that make up the model; default: all keys (which all sources must share exactly). */
  readonly keys?: readonly string[];
}

export interface StreamTopkThresholdOptions extends Omit<StreamTopkThresholdsOptions, 'sources'> {
  /** The (fine-tuned) model. */
  readonly source: TensorSource;
}

/**
 * The threshold of one model. For several models with the same pretrained model, prefer
 * `streamTopkThresholds`, which reads the pretrained tensors once per pass for all of them.
 */
export async function streamTopkThreshold(options: StreamTopkThresholdOptions): Promise<number> {
  const { source, ...rest } = options;
  const [threshold] = await streamTopkThresholds({ ...rest, sources: [source] });
  return threshold;
}

/** One threshold per source, in order; all 0 when k keeps every entry (then no data is read). */
export async function streamTopkThresholds(options: StreamTopkThresholdsOptions): Promise<number[]> {
  const { sources, pretrained, k } = options;
  check(sources.length > 0, 'no models given: at least one tensor source is needed');
  const all = pretrained ? [pretrained, ...sources] : sources;
  const keys = compatibleSourceKeys(all, options.keys);
  const sizes = keys.map((key) => tf.util.sizeFromShape([...all[0].info(key).shape]));
  const d = sizes.reduce((n, size) => n + size, 0);
  const keep = topkKeepCount(d, k);
  if (keep === d) return sources.map(() => 0);

  // One buffer for every difference, so that the passes allocate nothing per key.
  const scratch = new Float32Array(pretrained ? Math.max(0, ...sizes) : 0);
  const label = (source: TensorSource, key: string) =>
    pretrained
      ? `key '${key}' of the task vector ${source.origin} − ${pretrained.origin}`
      : `key '${key}' of ${source.origin}`;
  const pass = async (use: (model: number, key: string, values: Float32Array) => void): Promise<void> => {
    for (const key of keys) {
      const tensors = await readAll(all, key);
      try {
        const base = pretrained ? float32Values(tensors[0]) : undefined;
        tensors.slice(pretrained ? 1 : 0).forEach((t, model) => {
          const values = float32Values(t);
          if (!base) {
            use(model, key, values);
            return;
          }
          const diff = scratch.subarray(0, base.length);
          for (let i = 0; i < diff.length; i++) diff[i] = values[i] - base[i];
          use(model, key, diff);
        });
      } finally {
        for (const t of tensors) t.dispose();
      }
    }
  };

  const selectors = sources.map(() => new MagnitudeSelector());
  await pass((model, key, values) => selectors[model].countPass1(values, label(sources[model], key)));
  for (const selector of selectors) selector.target(keep + 1);
  await pass((model, _, values) => selectors[model].countPass2(values));
  return selectors.map((selector) => selector.result());
}
