/**
 * Merging key by key from lazily read sources, so that peak memory is one tensor per source plus
 * the outputs (or plus one output, when each is handed on as it is made).
 */
import * as tf from '@tensorflow/tfjs';
import { check, listNames, MergebenchError } from '../errors.js';
import { assertSameLayout, formatShape, sameShape } from './layout-check.js';
import { disposeStateDict } from './state-dict.js';
import type { StateDict, TensorSource } from './types.js';

/**
 * Makes the output tensor for one key from the fine-tuned tensors (in the order of `sources`) and
 * the pretrained one. Runs inside tf.tidy; the inputs are disposed after it returns (a returned
 * input is cloned first).
 */
export type CombineFn = (
  key: string,
  tensors: readonly tf.Tensor[],
  pretrained: tf.Tensor | undefined,
) => tf.Tensor;

export interface StreamMergeOptions {
  readonly sources: readonly TensorSource[];
  readonly pretrained?: TensorSource;
  /**
   * Keys to merge, in output order; every source must have them (other keys are ignored).
   * Default: all keys of the pretrained source (else of the first source), and then every source
   * must have exactly those keys.
   */
  readonly keys?: readonly string[];
  readonly combine: CombineFn;
}

export interface StreamMergeToOptions extends StreamMergeOptions {
  /** Receives each output as soon as it is made, and owns it from then on (write it, dispose it). */
  readonly onTensor: (key: string, tensor: tf.Tensor) => void | Promise<void>;
}

/**
 * Checks, from `info()` alone and before any data is read, that all sources have the keys with
 * the same shapes; returns the keys to process (`keys`, or all keys of the first source).
 */
export function compatibleSourceKeys(sources: readonly TensorSource[], keys?: readonly string[]): string[] {
  check(sources.length > 0, 'no tensor sources given: at least one is needed');
  if (keys) {
    const duplicates = keys.filter((key, i) => keys.indexOf(key) !== i);
    check(duplicates.length === 0, () => `keys requested more than once: ${listNames(new Set(duplicates))}`);
  }
  assertSameLayout(
    sources.map((source) => ({
      name: source.origin,
      keys: source.keys(),
      shape: (key: string) => source.info(key).shape,
    })),
    keys,
  );
  return [...(keys ?? sources[0].keys())];
}

/** Reads one tensor and checks that it has the shape the source announced. */
export async function readChecked(source: TensorSource, key: string): Promise<tf.Tensor> {
  const expected = source.info(key).shape;
  const t = await source.read(key);
  if (!sameShape(t.shape, expected)) {
    t.dispose();
    throw new MergebenchError(
      `${source.origin}: key '${key}' was read with shape ${formatShape(t.shape)}, but its header says ${formatShape(expected)}`,
    );
  }
  return t;
}

/** Reads `key` from every source at once; if any read fails, the tensors already read are disposed. */
export async function readAll(sources: readonly TensorSource[], key: string): Promise<tf.Tensor[]> {
  const settled = await Promise.allSettled(sources.map((source) => readChecked(source, key)));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of settled) if (r.status === 'fulfilled') r.value.dispose();
    throw failed.reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<tf.Tensor>).value);
}

async function mergeKey(
  key: string,
  sources: readonly TensorSource[],
  pretrained: TensorSource | undefined,
  combine: CombineFn,
): Promise<tf.Tensor> {
  const inputs = await readAll(pretrained ? [...sources, pretrained] : sources, key);
  try {
    const tensors = inputs.slice(0, sources.length);
    const base = pretrained ? inputs[sources.length] : undefined;
    return tf.tidy(() => {
      const result = combine(key, tensors, base);
      check(result instanceof tf.Tensor, () => `merging key '${key}' did not produce a tensor`);
      return inputs.includes(result) ? result.clone() : result;
    });
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/**
 * Reads one key at a time from every source (and the pretrained source), combines the tensors
 * and disposes them before reading the next key. Returns the outputs as a state dict, or, with
 * `onTensor`, hands each output over as it is made. On error, outputs not yet handed over are
 * disposed. The sources are not closed.
 */
export function streamMerge(options: StreamMergeToOptions): Promise<void>;
export function streamMerge(options: StreamMergeOptions): Promise<StateDict>;
export async function streamMerge(
  options: StreamMergeOptions & Partial<Pick<StreamMergeToOptions, 'onTensor'>>,
): Promise<unknown> {
  const { sources, pretrained, combine, onTensor } = options;
  check(sources.length > 0, 'no models to merge: at least one tensor source is needed');
  const keys = compatibleSourceKeys(pretrained ? [pretrained, ...sources] : sources, options.keys);
  const out: StateDict = new Map();
  try {
    for (const key of keys) {
      const merged = await mergeKey(key, sources, pretrained, combine);
      if (onTensor) await onTensor(key, merged);
      else out.set(key, merged);
    }
  } catch (error) {
    disposeStateDict(out);
    throw error;
  }
  return onTensor ? undefined : out;
}
