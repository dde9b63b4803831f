import type * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';

/**
 * The values of a tensor as float32, read synchronously. For a float32 tensor on the cpu backend
 * this is the tensor's own buffer (no copy), so callers must treat it as read-only; int32 and
 * bool tensors are converted into a new array.
 */
export function float32Values(t: tf.Tensor): Float32Array {
  check(
    t.dtype !== 'string' && t.dtype !== 'complex64',
    `tensor of dtype ${t.dtype} has no float32 values: only float32, int32 and bool tensors are supported`,
  );
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
