import type * as tf from '@tensorflow/tfjs';
import { MergebenchError } from '../errors.js';
import type { DType } from '../tensors/types.js';
import { withAtomicFile, writeAll } from './atomic.js';
import { assertFinite, countNonFinite, countNonFiniteStored } from './non-finite.js';
import {
  assertLittleEndian,
  defaultStoredDtype,
  encodeFromTf,
  encodingConverts,
  type FloatStorageDtype,
  isSafetensorsDtype,
  numel,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type TfValues,
} from './safetensors-format.js';
import type { RawTensor } from './safetensors-reader.js';

/** What a writer accepts per name: a tfjs tensor (converted) or a raw tensor (copied bit for bit). */
export type WritableTensor = tf.Tensor | RawTensor;

export interface WriteSafetensorsOptions {
  /** Write NaN and ±Infinity instead of refusing them (format tests only: weights must be finite). */
  readonly allowNonFinite?: boolean;
  /** Written as `__metadata__` (first in the header) when given; values must be strings. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Storage for float32 tensors: F32 (default), F16 or BF16 (rounded to nearest even), or F64.
   * int32 tensors are stored as I64 (PyTorch's default integer type), bool as BOOL; raw tensors
   * keep their dtype.
   */
  readonly dtype?: FloatStorageDtype;
}

export function isRawTensor(value: unknown): value is RawTensor {
  const raw = value as RawTensor;
  return (
    typeof value === 'object' &&
    value !== null &&
    raw.data instanceof Uint8Array &&
    isSafetensorsDtype(raw.dtype)
  );
}

/** One tensor as it will be stored. */
export interface PlannedTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly byteLength: number;
  readonly tensor: WritableTensor;
}

/** Works out each tensor's stored dtype and size, checking names, dtypes and raw byte lengths. */
export function planTensors(
  tensors: ReadonlyMap<string, WritableTensor>,
  floatDtype: FloatStorageDtype = 'F32',
  origin = 'safetensors',
): PlannedTensor[] {
  if (!['F32', 'F16', 'BF16', 'F64'].includes(floatDtype)) {
    throw new MergebenchError(
      `${origin}: cannot store float tensors as ${floatDtype} (F32, F16, BF16 or F64)`,
    );
  }
  const plan: PlannedTensor[] = [];
  for (const [name, tensor] of tensors) {
    if (name === '' || name === '__metadata__') {
      throw new MergebenchError(`${origin}: '${name}' cannot be a tensor name`);
    }
    let dtype: SafetensorsDtype;
    if (isRawTensor(tensor)) {
      dtype = tensor.dtype;
      const expected = numel(tensor.shape) * SAFETENSORS_DTYPES[dtype].bytes;
      if (tensor.data.byteLength !== expected) {
        throw new MergebenchError(
          `${origin}: raw tensor '${name}' has ${tensor.data.byteLength} bytes, but ${dtype} of shape ` +
            `[${tensor.shape.join(', ')}] needs ${expected}`,
        );
      }
    } else {
      if (!['float32', 'int32', 'bool'].includes(tensor.dtype)) {
        throw new MergebenchError(
          `${origin}: tensor '${name}' has dtype ${tensor.dtype}, which safetensors cannot hold`,
        );
      }
      dtype = defaultStoredDtype(tensor.dtype as DType, floatDtype);
    }
    const shape = [...tensor.shape];
    plan.push({ name, dtype, shape, byteLength: numel(shape) * SAFETENSORS_DTYPES[dtype].bytes, tensor });
  }
  return plan;
}

/**
 * The header bytes: compact JSON, `__metadata__` first, then the tensors in order, each
 * {"dtype","shape","data_offsets"} with data laid out back to back in the same order; padded with
 * spaces to a multiple of 8 bytes (the layout of PyTorch's safetensors and the fixture script).
 * Built as text so that integer-like tensor names keep their place.
 */
export function encodeHeader(
  plan: readonly PlannedTensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new MergebenchError(`safetensors metadata '${key}' must be a string, got ${typeof value}`);
      }
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const { name, dtype, shape, byteLength } of plan) {
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${offset + byteLength}]}`,
    );
    offset += byteLength;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
  json.copy(padded);
  return padded;
}

/** A planned tensor's stored bytes (written into `scratch` when it converts and `scratch` is large enough). */
export async function encodeTensor(
  item: PlannedTensor,
  origin: string,
  scratch?: ArrayBuffer,
  allowNonFinite = false,
): Promise<Uint8Array> {
  const where = `${origin}: tensor '${item.name}'`;
  if (isRawTensor(item.tensor)) {
    const raw = item.tensor;
    if (!allowNonFinite) assertFinite(countNonFiniteStored(raw.dtype, raw.data), numel(raw.shape), where);
    return raw.data;
  }
  let values = (await item.tensor.data()) as TfValues;
  // tfjs's cpu backend casts int32 to float32 by relabelling: the values stay an Int32Array.
  if (item.tensor.dtype === 'float32' && !(values instanceof Float32Array))
    values = Float32Array.from(values);
  // Non-finite weights are refused before they reach a file (the temporary is then removed).
  if (values instanceof Float32Array && !allowNonFinite)
    assertFinite(countNonFinite(values), values.length, where);
  return encodeFromTf(values, item.dtype, where, scratch);
}

/** Bytes of the largest tensor that must be converted before it is written (0 when none is). */
function largestConversion(plan: readonly PlannedTensor[]): number {
  let largest = 0;
  for (const { tensor, dtype, byteLength } of plan) {
    if (!isRawTensor(tensor) && encodingConverts(tensor.dtype as DType, dtype))
      largest = Math.max(largest, byteLength);
  }
  return largest;
}

/** Writes planned tensors to `path`: through a temp sibling, one tensor at a time, then a rename. */
export async function writePlanned(
  path: string,
  plan: readonly PlannedTensor[],
  metadata?: Readonly<Record<string, string>>,
  allowNonFinite = false,
): Promise<void> {
  assertLittleEndian();
  const header = encodeHeader(plan, metadata);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  await withAtomicFile(path, async (handle) => {
    await writeAll(handle, prefix, 0);
    await writeAll(handle, header, 8);
    let position = 8 + header.length;
    // conversions (F16, BF16, I64, …) all go through one buffer, written out before the next
    const scratch = new ArrayBuffer(largestConversion(plan));
    for (const item of plan) {
      const bytes = await encodeTensor(item, path, scratch, allowNonFinite);
      await writeAll(handle, bytes, position);
      position += bytes.byteLength;
    }
  });
}

/**
 * Writes tensors as a safetensors file, in map order. It streams: the file is written tensor by
 * tensor into a temporary sibling (one tensor's bytes in memory at a time), fsynced and renamed
 * over `path`, so a failure leaves no partial file and an existing `path` untouched. Tensors are
 * not disposed. Reading a file with `readRaw` and writing every tensor back in `keys()` order
 * with the same metadata reproduces it byte for byte when it was written in this layout.
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, WritableTensor>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  await writePlanned(
    path,
    planTensors(tensors, options.dtype, path),
    options.metadata,
    options.allowNonFinite,
  );
}
