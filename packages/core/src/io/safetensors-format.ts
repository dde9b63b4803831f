/**
 * The safetensors format's dtypes, how each maps to a TensorFlow.js dtype, and the conversions
 * between stored bytes and tfjs typed arrays (F16/BF16 ↔ F32 included). Everything here works on
 * whole typed arrays: views where the bytes already have the right layout, native typed-array
 * conversions where they exist, and one tight loop over 32-bit words where they do not.
 *
 * The format is little-endian; so are the hosts Node runs on in practice (x64, arm64). Readers and
 * writers call `assertLittleEndian()` once.
 */
import { MergebenchError } from '../errors.js';
import type { DType } from '../tensors/types.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8' | 'BOOL';

/** Float storage a writer may choose for float32 tensors. */
export type FloatStorageDtype = 'F64' | 'F32' | 'F16' | 'BF16';

export interface SafetensorsDtypeSpec {
  /** Bytes per element on disk. */
  readonly bytes: number;
  /**
   * The tfjs dtype a tensor of this dtype is read as: floats → float32, I64/I32/U8 → int32 (I64
   * values outside the int32 range are an error), BOOL → bool.
   */
  readonly tfDtype: DType;
}

export const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDtype, SafetensorsDtypeSpec>> = {
  F64: { bytes: 8, tfDtype: 'float32' },
  F32: { bytes: 4, tfDtype: 'float32' },
  F16: { bytes: 2, tfDtype: 'float32' },
  BF16: { bytes: 2, tfDtype: 'float32' },
  I64: { bytes: 8, tfDtype: 'int32' },
  I32: { bytes: 4, tfDtype: 'int32' },
  U8: { bytes: 1, tfDtype: 'int32' },
  BOOL: { bytes: 1, tfDtype: 'bool' },
};

export function isSafetensorsDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, name);
}

/** Number of elements of a shape (1 for a scalar, 0 when a dimension is 0). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function assertLittleEndian(): void {
  if (!IS_LITTLE_ENDIAN) {
    throw new MergebenchError('safetensors I/O needs a little-endian host; this one is big-endian');
  }
}

type TypedArrayCtor<T> = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  BYTES_PER_ELEMENT: number;
};

/** A typed view over `bytes`, copying them first only when their offset is misaligned for `Ctor`. */
export function viewAs<T>(bytes: Uint8Array, Ctor: TypedArrayCtor<T>): T {
  const size = Ctor.BYTES_PER_ELEMENT;
  const src = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Ctor(src.buffer, src.byteOffset, Math.floor(src.byteLength / size));
}

/** The bytes of a typed array, without copying. */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

// ---------------------------------------------------------------------------------------------
// F16 / BF16 ↔ F32. Conversions work on bit patterns (Uint32Array views), so NaN payloads, ±0
// and subnormals pass through exactly; nothing goes through a JS number that could quiet a NaN.

let f16Table: Uint32Array | undefined;

/** float32 bit patterns of all 65536 half-precision values (exact: every F16 is an F32). */
function f16ToF32Table(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Uint32Array(65536);
  const scratch = new Float32Array(1);
  const scratchBits = new Uint32Array(scratch.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      table[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // ±Inf, NaN with its payload
    } else if (exp === 0) {
      scratch[0] = mant * 2 ** -24; // zero or subnormal: exact in float32
      table[h] = (sign | scratchBits[0]) >>> 0;
    } else {
      table[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  f16Table = table;
  return table;
}

/**
 * Widens half-precision bit patterns to float32 (exact). `src` may lie in the upper half of
 * `out`'s bytes (element i is read before its bytes are overwritten), so a reader needs one buffer.
 */
export function f16ToF32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const table = f16ToF32Table();
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]];
  return out;
}

/** Widens bfloat16 bit patterns to float32 (exact: bfloat16 is the top half of a float32). `src` may lie in the upper half of `out`'s bytes, as for f16ToF32. */
export function bf16ToF32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}

/**
 * Narrows float32 to half precision, rounding to nearest, ties to even (as IEEE 754, numpy and
 * PyTorch do): too large → ±Inf, too small → ±0, subnormal results where they fit; Inf stays Inf
 * and NaN stays NaN with its sign (quieted, top payload bits kept, like the F16C instruction).
 */
export function f32ToF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const f = bits[i];
    const sign = (f >>> 16) & 0x8000;
    const fExp = f & 0x7f800000;
    let sig = f & 0x007fffff;
    if (fExp >= 0x47800000) {
      // |f| ≥ 65536, Inf or NaN
      out[i] = fExp === 0x7f800000 && sig !== 0 ? sign | 0x7e00 | (sig >>> 13) : sign | 0x7c00;
    } else if (fExp <= 0x38000000) {
      // |f| < 2^-14: a subnormal half or a signed zero
      if (fExp < 0x33000000) {
        out[i] = sign;
      } else {
        const e = fExp >>> 23; // 102..112
        sig = (sig | 0x00800000) >>> (113 - e);
        // round half to even; the shift dropped up to 11 bits, which `f & 0x7ff` still sees
        if ((sig & 0x3fff) !== 0x1000 || (f & 0x7ff) !== 0) sig += 0x1000;
        out[i] = sign | (sig >>> 13); // a carry turns the largest subnormal into the smallest normal
      }
    } else {
      const hExp = (fExp - 0x38000000) >>> 13;
      if ((sig & 0x3fff) !== 0x1000) sig += 0x1000; // round half to even
      out[i] = sign | (hExp + (sig >>> 13)); // a carry bumps the exponent, up to Inf at most
    }
  }
  return out;
}

/**
 * Narrows float32 to bfloat16, rounding to nearest, ties to even (PyTorch's rule: add 0x7fff plus
 * the lowest kept bit, keep the top 16 bits). Overflow rounds to ±Inf; NaN stays NaN with its sign
 * (quieted, top payload bits kept).
 */
export function f32ToBf16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const f = bits[i];
    out[i] = (f & 0x7fffffff) > 0x7f800000 ? (f >>> 16) | 0x0040 : (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stored bytes ↔ tfjs values

/** Values as tfjs holds them: Float32Array for float32, Int32Array for int32, Uint8Array for bool. */
export type TfValues = Float32Array | Int32Array | Uint8Array;

/**
 * Decodes stored little-endian bytes to the typed array of the dtype's tfjs dtype. The result may
 * share memory with `bytes` (F32, I32, BOOL are views when aligned); hand over bytes you own.
 * `where` names the file and tensor for error messages.
 */
export function decodeToTf(dtype: SafetensorsDtype, bytes: Uint8Array, where: string): TfValues {
  switch (dtype) {
    case 'F32':
      return viewAs(bytes, Float32Array);
    case 'F64':
      return new Float32Array(viewAs(bytes, Float64Array)); // native, rounds to nearest
    case 'F16':
      return f16ToF32(viewAs(bytes, Uint16Array));
    case 'BF16':
      return bf16ToF32(viewAs(bytes, Uint16Array));
    case 'I32':
      return viewAs(bytes, Int32Array);
    case 'U8':
      return new Int32Array(bytes);
    case 'BOOL':
      return bytes;
    case 'I64':
      return i64ToI32(viewAs(bytes, Int32Array), where);
  }
}

/** Narrows int64 (as pairs of little-endian int32 words) to int32; a value out of range is an error. */
function i64ToI32(words: Int32Array, where: string): Int32Array {
  const n = words.length >>> 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i];
    if (words[2 * i + 1] !== lo >> 31) {
      const value = (BigInt(words[2 * i + 1]) << 32n) | BigInt(words[2 * i] >>> 0);
      throw new MergebenchError(
        `${where}: I64 value ${value} at flat index ${i} does not fit in int32, the integer type tfjs reads`,
      );
    }
    out[i] = lo;
  }
  return out;
}

/**
 * The default stored dtype for a tfjs dtype: float32 → F32, int32 → I64 (PyTorch's default
 * integer type, so that integer tensors such as position ids load there unchanged), bool → BOOL.
 */
export function defaultStoredDtype(tfDtype: DType, floatDtype: FloatStorageDtype = 'F32'): SafetensorsDtype {
  return tfDtype === 'float32' ? floatDtype : tfDtype === 'int32' ? 'I64' : 'BOOL';
}

/** Whether encoding tfjs values as `dtype` needs a buffer of its own (rather than a view of the values). */
export function encodingConverts(tfDtype: DType, dtype: SafetensorsDtype): boolean {
  return !(
    (tfDtype === 'float32' && dtype === 'F32') ||
    (tfDtype === 'int32' && dtype === 'I32') ||
    (tfDtype === 'bool' && dtype === 'BOOL')
  );
}

/**
 * Encodes tfjs values as the stored bytes of `dtype`. The result may share memory with `values`
 * (F32 from float32, I32 from int32, BOOL from bool are views). A conversion writes into `scratch`
 * when it is given and large enough (a writer reuses one buffer for every tensor, instead of
 * fresh memory per tensor); the result is then valid until `scratch` is used again. `where` names
 * the tensor.
 */
export function encodeFromTf(
  values: TfValues,
  dtype: SafetensorsDtype,
  where: string,
  scratch?: ArrayBuffer,
): Uint8Array {
  const alloc = <T>(
    Ctor: new (buffer: ArrayBuffer, offset: number, length: number) => T,
    size: number,
    n: number,
  ) => new Ctor(scratch && scratch.byteLength >= size * n ? scratch : new ArrayBuffer(size * n), 0, n);
  const n = values.length;
  if (values instanceof Float32Array) {
    switch (dtype) {
      case 'F32':
        return bytesOf(values);
      case 'F16':
        return bytesOf(f32ToF16(values, alloc(Uint16Array, 2, n)));
      case 'BF16':
        return bytesOf(f32ToBf16(values, alloc(Uint16Array, 2, n)));
      case 'F64': {
        const out = alloc(Float64Array, 8, n);
        out.set(values);
        return bytesOf(out);
      }
    }
  } else if (values instanceof Int32Array) {
    switch (dtype) {
      case 'I64': {
        const words = alloc(Int32Array, 4, 2 * n);
        for (let i = 0; i < n; i++) {
          words[2 * i] = values[i];
          words[2 * i + 1] = values[i] >> 31;
        }
        return bytesOf(words);
      }
      case 'I32':
        return bytesOf(values);
    }
  } else if (dtype === 'BOOL') {
    return values;
  }
  throw new MergebenchError(`${where}: cannot store ${values.constructor.name} values as ${dtype}`);
}
