/**
 * Stored bytes ↔ float32 for the merge's arithmetic: F32, F16 and BF16 in; F32, F16 or BF16 out,
 * BF16 rounded to nearest even (PyTorch's `.to(torch.bfloat16)`, which mergekit uses). Decoding
 * and encoding write into arrays the caller reuses.
 */
import { type FloatStorageDtype, f16ToF32, f32ToBf16, f32ToF16, MergebenchError } from '@mergebench/core';

export const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];

function aligned(data: Uint8Array, bytes: number): Uint8Array {
  return data.byteOffset % bytes === 0 ? data : data.slice();
}

/** A bfloat16 is the top half of a float32. */
function bf16Into(src: Uint16Array, out: Float32Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
}

/** The values of a stored float tensor as float32, in `out` (or a view of `data` for aligned F32). */
export function decodeFloat(
  dtype: string,
  data: Uint8Array,
  where: string,
  out?: Float32Array,
): Float32Array {
  if (dtype === 'F32') {
    const a = aligned(data, 4);
    return new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
  }
  if (dtype === 'BF16' || dtype === 'F16') {
    const a = aligned(data, 2);
    const halves = new Uint16Array(a.buffer, a.byteOffset, a.byteLength / 2);
    const target = out ? out.subarray(0, halves.length) : new Float32Array(halves.length);
    if (dtype === 'BF16') bf16Into(halves, target);
    else f16ToF32(halves, target);
    return target;
  }
  throw new MergebenchError(`${where}: cannot merge ${dtype} values (F32, F16 or BF16)`);
}

/** float32 values stored as `dtype`, as bytes (in `scratch` when given and large enough). */
export function encodeFloat(
  values: Float32Array,
  dtype: FloatStorageDtype,
  scratch?: Uint16Array,
): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = scratch && scratch.length >= values.length ? scratch.subarray(0, values.length) : undefined;
  const halves = dtype === 'BF16' ? f32ToBf16(values, out) : f32ToF16(values, out);
  return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
}
