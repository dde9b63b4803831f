/**
 * The whole-model top-k% magnitude threshold (see topk-mask.ts) of a model on disk, or of its task
 * vector θᵢ − θ₀, in two passes over the keys holding one tensor per source at a time: the task
 * vector is never materialized.
 */
import * as tf from '@tensorflow/tfjs';
import { MagnitudeSelector } from './magnitude-select.js';
import { compatibleSourceKeys, readAll } from './streaming-merge.js';
import { float32Values } from './tensor-data.js';
import { topkKeepCount } from './topk-mask.js';
import type { TensorSource } from './types.js';

export interface StreamTopkThresholdOptions {
  /** The (fine-tuned) model. */
  readonly source: TensorSource;
  /** When given, the threshold is over the task vector `source − pretrained`. */
  readonly pretrained?: TensorSource;
  /** Percentage kept, in (0, 100]. */
  readonly k: number;
  /** Keys that make up the model; default: all keys (which both sources must share exactly). */
  readonly keys?: readonly string[];
}

/** The threshold; 0 when k keeps every entry (then no data is read). */
export async function streamTopkThreshold(options: StreamTopkThresholdOptions): Promise<number> {
  const { source, pretrained, k } = options;
  const sources = pretrained ? [pretrained, source] : [source];
  const keys = compatibleSourceKeys(sources, options.keys);
  const sizes = keys.map((key) => tf.util.sizeFromShape([...source.info(key).shape]));
  const d = sizes.reduce((n, size) => n + size, 0);
  const keep = topkKeepCount(d, k);
  if (keep === d) return 0;

  // One buffer for every key's difference, so each pass allocates once.
  const scratch = new Float32Array(pretrained ? Math.max(0, ...sizes) : 0);
  const withValues = async (key: string, use: (values: Float32Array) => void): Promise<void> => {
    const tensors = await readAll(sources, key);
    try {
      if (!pretrained) return use(float32Values(tensors[0]));
      const base = float32Values(tensors[0]);
      const tuned = float32Values(tensors[1]);
      const diff = scratch.subarray(0, base.length);
      for (let i = 0; i < diff.length; i++) diff[i] = tuned[i] - base[i];
      use(diff);
    } finally {
      for (const t of tensors) t.dispose();
    }
  };
  const label = (key: string) =>
    pretrained
      ? `key '${key}' of the task vector ${source.origin} − ${pretrained.origin}`
      : `key '${key}' of ${source.origin}`;

  const selector = new MagnitudeSelector();
  for (const key of keys) await withValues(key, (values) => selector.countPass1(values, label(key)));
  selector.target(keep + 1);
  for (const key of keys) await withValues(key, (values) => selector.countPass2(values));
  return selector.result();
}
