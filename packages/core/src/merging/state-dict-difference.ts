import { assertCompatible } from '../tensors/state-dict.js';
import { float32Values } from '../tensors/tensor-data.js';
import type { StateDict } from '../tensors/types.js';

/** How far a merge is from a reference merge of the same models. */
export interface StateDictDifference {
  /** Largest |a − b| / |b| over all entries (0 where both are 0, Infinity where only b is 0 or one is NaN). */
  readonly maxRelative: number;
  readonly maxAbsolute: number;
  /** The key holding the largest relative difference (undefined when everything is equal). */
  readonly worstKey: string | undefined;
}

function relative(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const d = Math.abs(a - b);
  return b === 0 || Number.isNaN(d) ? Number.POSITIVE_INFINITY : d / Math.abs(b);
}

/** Compares two state dicts with the same keys and shapes (checked), entry by entry. */
export function stateDictDifference(actual: StateDict, expected: StateDict): StateDictDifference {
  assertCompatible([actual, expected], ['actual', 'expected']);
  let maxRelative = 0;
  let maxAbsolute = 0;
  let worstKey: string | undefined;
  for (const [key, t] of actual) {
    const a = float32Values(t);
    const b = float32Values(expected.get(key)!);
    for (let i = 0; i < a.length; i++) {
      const r = relative(a[i], b[i]);
      if (r > maxRelative) [maxRelative, worstKey] = [r, key];
      if (Number.isFinite(r)) maxAbsolute = Math.max(maxAbsolute, Math.abs(a[i] - b[i]));
    }
  }
  return { maxRelative, maxAbsolute, worstKey };
}
