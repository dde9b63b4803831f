/**
 * Stored bytes ↔ float32 for the merge's arithmetic: F32, F16 and BF16 in; F32, F16 or BF16 out,
 * BF16 rounded to nearest even (PyTorch's `.to(torch.bfloat16)`, which mergekit uses).
 */
import {
  bf16ToF32,
  type FloatStorageDtype,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  MergebenchError,
  type RawTensor,
} from '@mergebench/core';

export const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];

function aligned(data: Uint8Array, bytes: number): Uint8Array {
  return data.byteOffset % bytes === 0 ? data : data.slice();
}

/** The values of a stored float tensor as float32 (a view when already float32 and aligned). */
export function decodeFloat(raw: RawTensor, where: string): Float32Array {
  const data = raw.data;
  if (raw.dtype === 'F32') {
    const a = aligned(data, 4);
    return new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
  }
  if (raw.dtype === 'BF16' || raw.dtype === 'F16') {
    const a = aligned(data, 2);
    const halves = new Uint16Array(a.buffer, a.byteOffset, a.byteLength / 2);
    return raw.dtype === 'BF16' ? bf16ToF32(halves) : f16ToF32(halves);
  }
  throw new MergebenchError(`${where}: cannot merge ${raw.dtype} values (F32, F16 or BF16)`);
}

/** float32 values stored as `dtype`, as bytes. */
export function encodeFloat(values: Float32Array, dtype: FloatStorageDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const halves = dtype === 'BF16' ? f32ToBf16(values) : f32ToF16(values);
  return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
}
