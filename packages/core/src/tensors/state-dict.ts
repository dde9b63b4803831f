import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { assertSameLayout } from './layout-check.js';
import {
  addTensors,
  meanTensors,
  scaleTensor,
  subTensors,
  sumTensors,
  weightedSumTensors,
} from './tensor-math.js';
import type { StateDict } from './types.js';

function modelName(names: readonly string[] | undefined, index: number): string {
  return names?.[index] ?? `model #${index + 1}`;
}

/**
 * Throws a MergebenchError unless all state dicts have the same keys with the same shapes.
 * `names` name the dicts in error messages (default: `model #1`, `model #2`, …).
 */
export function assertCompatible(dicts: readonly StateDict[], names?: readonly string[]): void {
  check(dicts.length > 0, 'no state dicts given: at least one is needed');
  assertSameLayout(
    dicts.map((sd, i) => ({
      name: modelName(names, i),
      keys: [...sd.keys()],
      shape: (key: string) => sd.get(key)!.shape,
    })),
  );
}

/** A copy whose tensors the caller disposes independently (tfjs clones share data until written). */
export function cloneStateDict(sd: StateDict): StateDict {
  return new Map([...sd].map(([key, t]) => [key, t.clone()]));
}

/** Disposes every tensor and empties the map, so it cannot be used by mistake afterwards. */
export function disposeStateDict(sd: StateDict): void {
  for (const t of sd.values()) t.dispose();
  sd.clear();
}

/** The number of scalar parameters in all tensors. */
export function countElements(sd: StateDict): number {
  let n = 0;
  for (const t of sd.values()) n += t.size;
  return n;
}

/**
 * Builds a new state dict key by key from compatible dicts (checked first). `fn` receives the
 * tensors of one key in the order of `dicts`; it runs inside tf.tidy, so intermediates are
 * freed and only its result is kept. A returned input is cloned, so that the output owns all of
 * its tensors. If `fn` throws, the outputs made so far are disposed.
 */
export function mapStateDicts(
  dicts: readonly StateDict[],
  fn: (key: string, tensors: readonly tf.Tensor[]) => tf.Tensor,
  names?: readonly string[],
): StateDict {
  assertCompatible(dicts, names);
  const out: StateDict = new Map();
  try {
    for (const key of dicts[0].keys()) {
      const inputs = dicts.map((sd) => sd.get(key)!);
      const result = tf.tidy(() => {
        const t = fn(key, inputs);
        return inputs.includes(t) ? t.clone() : t;
      });
      out.set(key, result);
    }
  } catch (error) {
    disposeStateDict(out);
    throw error;
  }
  return out;
}

/** a − b per key. */
export function sub(a: StateDict, b: StateDict, names?: readonly string[]): StateDict {
  return mapStateDicts([a, b], (_, [x, y]) => subTensors(x, y), names);
}

/** a + b per key. */
export function add(a: StateDict, b: StateDict, names?: readonly string[]): StateDict {
  return mapStateDicts([a, b], (_, [x, y]) => addTensors(x, y), names);
}

/** s · a per key. */
export function scale(a: StateDict, s: number): StateDict {
  return mapStateDicts([a], (_, [x]) => scaleTensor(x, s));
}

/** 0 + d₁ + d₂ + … per key, left to right. */
export function sum(dicts: readonly StateDict[], names?: readonly string[]): StateDict {
  return mapStateDicts(dicts, (_, tensors) => sumTensors(tensors), names);
}

/** (d₁ + … + dₙ) / n per key. */
export function mean(dicts: readonly StateDict[], names?: readonly string[]): StateDict {
  return mapStateDicts(dicts, (_, tensors) => meanTensors(tensors), names);
}

/** w₁d₁ + w₂d₂ + … per key, left to right. */
export function weightedSum(
  dicts: readonly StateDict[],
  weights: readonly number[],
  names?: readonly string[],
): StateDict {
  check(
    weights.length === dicts.length,
    () => `${weights.length} weights given for ${dicts.length} models: one weight per model is needed`,
  );
  return mapStateDicts(dicts, (_, tensors) => weightedSumTensors(tensors, weights), names);
}
