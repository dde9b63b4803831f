/**
 * A whole model as one float32 vector, for operations that must see all parameters together.
 * Prefer passing the per-tensor arrays (see `float32Values`) where an operation accepts a list:
 * flattening copies the whole model.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { float32Values } from './tensor-data.js';
import type { StateDict } from './types.js';

/** Where one tensor lies in the flat vector. */
export interface FlatEntry {
  readonly key: string;
  readonly shape: readonly number[];
  /** The tensor's own dtype, restored by `unflatten`. */
  readonly dtype: tf.DataType;
  readonly offset: number;
  readonly size: number;
}

export interface FlatLayout {
  /** In the state dict's key order. */
  readonly entries: readonly FlatEntry[];
  /** Total number of elements. */
  readonly size: number;
}

export interface FlatStateDict {
  readonly data: Float32Array;
  readonly layout: FlatLayout;
}

export function flatLayout(sd: StateDict): FlatLayout {
  const entries: FlatEntry[] = [];
  let offset = 0;
  for (const [key, t] of sd) {
    entries.push({ key, shape: t.shape, dtype: t.dtype, offset, size: t.size });
    offset += t.size;
  }
  return { entries, size: offset };
}

/** Copies all tensors, in key order, into one Float32Array (int32 and bool values as floats). */
export function flattenStateDict(sd: StateDict): FlatStateDict {
  const layout = flatLayout(sd);
  const data = new Float32Array(layout.size);
  for (const entry of layout.entries) data.set(float32Values(sd.get(entry.key)!), entry.offset);
  return { data, layout };
}

/** New tensors (copies of `data`) with the keys, shapes and dtypes recorded in `layout`. */
export function unflatten(data: Float32Array, layout: FlatLayout): StateDict {
  check(
    data.length === layout.size,
    () => `flat vector has ${data.length} elements, but the layout describes ${layout.size}`,
  );
  const sd: StateDict = new Map();
  for (const { key, shape, dtype, offset, size } of layout.entries) {
    const values = data.slice(offset, offset + size);
    sd.set(
      key,
      tf.tidy(() => {
        const t = tf.tensor(values, [...shape], 'float32');
        return dtype === 'float32' ? t : tf.cast(t, dtype);
      }),
    );
  }
  return sd;
}
