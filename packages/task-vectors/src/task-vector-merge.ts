/**
 * The generalized task-vector merge (see merge-rules.ts) over lazily read sources.
 *
 * Memory: trimming needs each task vector's whole-model threshold before anything is merged;
 * it comes from core's streaming selection, two passes over the keys holding one tensor per
 * model at a time. The merge itself is one pass over the keys holding the tensors of two keys
 * per model (the one merged and the one read ahead), so T full task vectors are never held.
 * Each output is handed on as soon as it is made, except for the rare keys whose sign election
 * waits for the majority sign (pending-signs.ts).
 */

import type { TensorSink, TensorSource } from '@mergebench/core';
import {
  assertSameLayout,
  check,
  float32Values,
  isSafetensorsDtype,
  readChecked,
  SAFETENSORS_DTYPES,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { combineKey } from './combine-key.js';
import { keyPatterns } from './key-patterns.js';
import { assertMergeRules, type TaskVectorMergeRules } from './merge-rules.js';
import { type MajoritySign, majoritySign, type PendingSigns } from './pending-signs.js';
import { ReadAhead } from './read-ahead.js';
import { streamTopkThresholds } from './streaming-threshold.js';

export interface MergeTaskVectorsOptions extends TaskVectorMergeRules {
  /** The fine-tuned models, in pool order (the order of float32 sums). */
  readonly sources: readonly TensorSource[];
  readonly pretrained: TensorSource;
  /** Called once per key of `pretrained`, in its key order except for keys held for the majority sign. */
  readonly onTensor: TensorSink;
  /** How errors name the exclude patterns, e.g. `method.exclude_keys`. */
  readonly excludeKeysName?: string;
}

/** What a merge did, as plain JSON (it goes into run reports). */
export interface TaskVectorMergeReport {
  readonly mergedKeys: number;
  readonly mergedParameters: number;
  /** Keys that kept θ₀'s value: excluded by pattern, or not float (integer buffers). */
  readonly keptKeys: readonly string[];
  /** Per fine-tuned model, in pool order, the trim's magnitude threshold (absent without trimming). */
  readonly thresholds?: readonly number[];
  /** The sign that coordinates whose trimmed entries sum to zero take (sign election only). */
  readonly majoritySign?: MajoritySign;
  /** Coordinates whose non-zero trimmed entries cancelled exactly and took the majority sign. */
  readonly cancelledCoordinates?: number;
  /** Exclude patterns that matched no key (likely typos). */
  readonly unmatchedExcludePatterns: readonly string[];
}

/** Whether a tensor stored as `storedDtype` is read as float32 (floats on disk, or float32 in memory). */
function readsAsFloat(storedDtype: string): boolean {
  return (
    storedDtype === 'float32' ||
    (isSafetensorsDtype(storedDtype) && SAFETENSORS_DTYPES[storedDtype].tfDtype === 'float32')
  );
}

interface HeldKey {
  readonly key: string;
  readonly shape: readonly number[];
  readonly output: Float32Array;
  readonly pending: PendingSigns;
}

/** Merges the sources' task vectors key by key and hands each result to `onTensor`. */
export async function mergeTaskVectors(options: MergeTaskVectorsOptions): Promise<TaskVectorMergeReport> {
  const { sources, pretrained, onTensor } = options;
  assertMergeRules(options);
  check(sources.length > 0, 'no fine-tuned models to merge: at least one is needed');

  const excluded = keyPatterns(options.excludeKeys ?? [], options.excludeKeysName ?? 'exclude_keys');
  const allKeys = pretrained.keys();
  const kept = new Set(
    allKeys.filter((key) => excluded.matches(key) || !readsAsFloat(pretrained.info(key).storedDtype)),
  );
  const mergedKeys = allKeys.filter((key) => !kept.has(key));
  // Every model must have exactly the merged keys with θ₀'s shapes; kept keys may differ.
  assertSameLayout(
    [pretrained, ...sources].map((source) => ({
      name: source.origin,
      keys: source.keys().filter((key) => !kept.has(key) && !excluded.matches(key)),
      shape: (key: string) => source.info(key).shape,
    })),
  );

  const trim = options.trim;
  const thresholds =
    trim.kind === 'magnitude'
      ? await streamTopkThresholds({ sources, pretrained, k: trim.percent, keys: mergedKeys })
      : sources.map(() => 0);

  let positive = 0;
  let negative = 0;
  let mergedParameters = 0;
  const held: HeldKey[] = [];
  const reader = new ReadAhead([pretrained, ...sources], mergedKeys);
  try {
    for (const key of allKeys) {
      if (kept.has(key)) {
        await onTensor(key, await readChecked(pretrained, key));
        continue;
      }
      const [base, ...tuned] = await reader.take();
      const shape = base.shape;
      let combined: ReturnType<typeof combineKey>;
      try {
        combined = combineKey(
          { pretrained: float32Values(base), finetuned: tuned.map(float32Values), thresholds },
          options,
        );
      } finally {
        tf.dispose([base, ...tuned]);
      }
      positive += combined.positive;
      negative += combined.negative;
      mergedParameters += combined.output.length;
      if (combined.pending) held.push({ key, shape, output: combined.output, pending: combined.pending });
      else await onTensor(key, tf.tensor(combined.output, shape, 'float32'));
    }
  } finally {
    await reader.dispose();
  }

  const majority = majoritySign(positive, negative);
  for (const { key, shape, output, pending } of held) {
    pending.resolve(output, majority);
    await onTensor(key, tf.tensor(output, [...shape], 'float32'));
  }

  const electing = options.elect === 'sign';
  return {
    mergedKeys: mergedKeys.length,
    mergedParameters,
    keptKeys: [...kept],
    ...(trim.kind === 'magnitude' ? { thresholds } : {}),
    ...(electing
      ? { majoritySign: majority, cancelledCoordinates: held.reduce((n, h) => n + h.pending.size, 0) }
      : {}),
    unmatchedExcludePatterns: excluded.unmatched(allKeys),
  };
}
