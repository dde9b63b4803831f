import { type FileHandle, open } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { listNames, MergebenchError } from '../errors.js';
import type { TensorInfo, TensorSource } from '../tensors/types.js';
import { isPlainObject } from './files.js';
import { assertFinite, countNonFinite, countNonFiniteStored } from './non-finite.js';
import {
  assertLittleEndian,
  bf16ToF32,
  decodeToTf,
  f16ToF32,
  isSafetensorsDtype,
  numel,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type TfValues,
} from './safetensors-format.js';

/** A tensor's stored bytes, untouched: what a bit-exact copy reads and writes. */
export interface RawTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Little-endian element bytes, numel × bytes per element long. */
  readonly data: Uint8Array;
}

/** One header entry, validated. Offsets are relative to the start of the data section. */
export interface SafetensorsEntry extends TensorInfo {
  readonly storedDtype: SafetensorsDtype;
  readonly begin: number;
  readonly end: number;
}

/** The largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Reads of one tensor are split into calls of at most this many bytes. */
const READ_CHUNK = 1 << 30;

/** Reads exactly `length` bytes at `position` into a new, unshared, zero-offset buffer. */
export async function readExactly(
  handle: FileHandle,
  position: number,
  length: number,
  what: () => string,
  into?: Uint8Array,
): Promise<Uint8Array> {
  // allocUnsafeSlow: not zero-filled and not from the shared pool, so byteOffset is 0 and the
  // bytes can be viewed as any typed array.
  const buf = into ?? Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, Math.min(READ_CHUNK, length - done), position + done);
    if (bytesRead === 0) {
      throw new MergebenchError(`${what()}: file ended after ${done} of ${length} bytes (truncated?)`);
    }
    done += bytesRead;
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, length);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and validates a safetensors header. `origin` names the file in messages; `dataSize` is
 * the number of bytes after the header. Entries come back in the order their data lies in the
 * file (the header order, for files written by this writer, PyTorch's safetensors or the fixture
 * script), which a JS object cannot keep for integer-like names.
 */
export function parseSafetensorsHeader(
  text: string,
  origin: string,
  dataSize: number,
): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> | undefined } {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${origin}: header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) throw new MergebenchError(`${origin}: header is not a JSON object`);

  let metadata: Record<string, string> | undefined;
  const list: [string, SafetensorsEntry][] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        throw new MergebenchError(`${origin}: __metadata__ must be an object of string values`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const where = `${origin}: tensor '${name}'`;
    if (!isPlainObject(value)) throw new MergebenchError(`${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (!isSafetensorsDtype(dtype)) {
      throw new MergebenchError(
        `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      throw new MergebenchError(
        `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      throw new MergebenchError(
        `${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataSize) {
      throw new MergebenchError(
        `${where}: data_offsets [${begin}, ${end}] fall outside the ${dataSize} data bytes (truncated file?)`,
      );
    }
    const expected = numel(shape) * SAFETENSORS_DTYPES[dtype].bytes;
    if (end - begin !== expected) {
      throw new MergebenchError(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} of shape ` +
          `[${shape.join(', ')}] needs ${expected}`,
      );
    }
    list.push([name, { storedDtype: dtype, shape, begin, end }]);
  }

  list.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end); // stable: ties keep header order
  let previous: [string, SafetensorsEntry] | undefined;
  for (const item of list) {
    const [name, entry] = item;
    if (entry.begin === entry.end) continue; // an empty tensor occupies no bytes
    if (previous && entry.begin < previous[1].end) {
      throw new MergebenchError(
        `${origin}: tensor '${name}' (bytes ${entry.begin}–${entry.end}) overlaps tensor '${previous[0]}' ` +
          `(bytes ${previous[1].begin}–${previous[1].end})`,
      );
    }
    previous = item;
  }
  return { entries: new Map(list), metadata };
}

/**
 * An open safetensors file. Only the header is read when it is opened; each `read` or `readRaw`
 * reads just that tensor's bytes (a positional read on the open handle, so concurrent reads are
 * safe).
 */
export class SafetensorsFile implements TensorSource {
  private handle: FileHandle | undefined;

  constructor(
    /** The path as given, used in messages. */
    readonly origin: string,
    handle: FileHandle,
    /** Byte offset of the data section: 8 + header length. */
    private readonly dataStart: number,
    private readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    /** The `__metadata__` map, or undefined when the file has none. */
    readonly metadata: Readonly<Record<string, string>> | undefined,
    /** Accept NaN and ±Infinity (for format tests and tools that inspect broken files). */
    private readonly allowNonFinite = false,
  ) {
    this.handle = handle;
  }

  /** Tensor names, in the order their data lies in the file. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Shape, stored dtype and byte range (relative to the data section) of a tensor. */
  info(key: string): SafetensorsEntry {
    const entry = this.entries.get(key);
    if (!entry) {
      throw new MergebenchError(
        `${this.origin}: no tensor '${key}' (${this.entries.size} tensors: ${listNames(this.entries.keys(), 5)})`,
      );
    }
    return entry;
  }

  /** Reads a tensor's stored bytes, into `into` when given. */
  private readBytes(key: string, entry: SafetensorsEntry, into?: Uint8Array): Promise<Uint8Array> {
    if (!this.handle) throw new MergebenchError(`${this.origin}: read of tensor '${key}' after close()`);
    const where = () => `${this.origin}: tensor '${key}'`;
    return readExactly(this.handle, this.dataStart + entry.begin, entry.end - entry.begin, where, into);
  }

  /** Reads a tensor's bytes unchanged. */
  async readRaw(key: string): Promise<RawTensor> {
    const entry = this.info(key);
    const data = await this.readBytes(key, entry);
    if (!this.allowNonFinite) {
      const bad = countNonFiniteStored(entry.storedDtype, data);
      assertFinite(bad, numel(entry.shape), `${this.origin}: tensor '${key}'`);
    }
    return { dtype: entry.storedDtype, shape: [...entry.shape], data };
  }

  /** Reads a tensor as tfjs: floats → float32, integers → int32, BOOL → bool. */
  async read(key: string): Promise<tf.Tensor> {
    const entry = this.info(key);
    const { storedDtype: dtype, shape } = entry;
    let values: TfValues;
    if (dtype === 'F16' || dtype === 'BF16') {
      // One buffer: the 2-byte values are read into the upper half of the float32 output and
      // widened in place (fresh memory per tensor is what reading costs most).
      const n = numel(shape);
      const buf = Buffer.allocUnsafeSlow(4 * n);
      await this.readBytes(key, entry, new Uint8Array(buf.buffer, 2 * n, 2 * n));
      const out = new Float32Array(buf.buffer, 0, n);
      values = (dtype === 'F16' ? f16ToF32 : bf16ToF32)(new Uint16Array(buf.buffer, 2 * n, n), out);
    } else {
      values = decodeToTf(dtype, await this.readBytes(key, entry), `${this.origin}: tensor '${key}'`);
    }
    // Checked in the pass that decoded them, while the values are still in cache.
    if (values instanceof Float32Array && !this.allowNonFinite)
      assertFinite(countNonFinite(values), values.length, `${this.origin}: tensor '${key}'`);
    return tf.tensor(values, shape as number[], SAFETENSORS_DTYPES[dtype].tfDtype);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/**
 * Opens a safetensors file and validates its header: the file holds at least the 8-byte length;
 * the header is at most 100 MB and fits in the file; it is a JSON object whose optional
 * `__metadata__` maps strings to strings; every tensor has a known dtype, a shape of non-negative
 * integers and data_offsets [begin, end] inside the data section whose length matches the shape
 * and dtype; no two tensors overlap. Each problem is a MergebenchError naming the file and tensor.
 */
export async function openSafetensors(
  path: string,
  options: { readonly allowNonFinite?: boolean } = {},
): Promise<SafetensorsFile> {
  assertLittleEndian();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MergebenchError(`${path}: no such safetensors file`);
    if (code === 'EISDIR') throw new MergebenchError(`${path}: is a folder, not a safetensors file`);
    throw new MergebenchError(`${path}: cannot open (${(err as Error).message})`);
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) {
      throw new MergebenchError(`${path}: ${size} bytes is too short for a safetensors file (truncated?)`);
    }
    const prefix = await readExactly(handle, 0, 8, () => path);
    const headerLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw new MergebenchError(
        `${path}: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
      );
    }
    const length = Number(headerLength);
    if (length > size - 8) {
      throw new MergebenchError(
        `${path}: header length ${length} exceeds the ${size - 8} bytes after the length prefix (truncated file?)`,
      );
    }
    const headerBytes = await readExactly(handle, 8, length, () => path);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw new MergebenchError(`${path}: header is not valid UTF-8`);
    }
    const { entries, metadata } = parseSafetensorsHeader(text, path, size - 8 - length);
    return new SafetensorsFile(path, handle, 8 + length, entries, metadata, options.allowNonFinite);
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}
