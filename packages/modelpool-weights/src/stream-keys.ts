/**
 * The merge loop of merge-to-folder.ts: every key of the template model, streamed from every
 * model's files in pieces of at most `chunkBytes` per model, read into buffers allocated once
 * (fresh pages cost the kernel more than the arithmetic costs us: about 1 s per 0.35 GB on the
 * measured machines), with the next piece read while this one is merged and the previous piece
 * of output written. Where the method's TensorMerge (task-vectors' key-merge.ts) has native loops
 * (`scanStored`, `mergeStored`), a piece goes to them as read; otherwise it is decoded to float32 a
 * run at a time (small enough to stay in cache), merged, and encoded straight into the output piece. Methods that need every entry before merging (TIES's thresholds,
 * SLERP's angle) read the tensor once more per scan; no whole tensor is ever held.
 *
 * Memory: 2 × M × `chunkBytes` (reads), 2 pieces of output, M runs of float32 — a few MB — and,
 * only for a KeyMerge that is not streamable, the whole tensor as float32 for every model.
 */
import { type FloatStorageDtype, f16ToF32, f32ToF16, MergebenchError } from '@mergebench/core';
import type {
  KeyChunk,
  KeyMerge,
  StoredDtype,
  StreamableKeyMerge,
  TensorMerge,
} from '@mergebench/task-vectors';
import type { DirectReader } from './direct-reader.js';
import type { ShardWriter } from './shard-writer.js';

/** Bytes read per model per piece (the default). */
export const DEFAULT_CHUNK_BYTES = 4 << 20;
/** Entries decoded to float32 at a time (the default). */
const DEFAULT_RUN = 16384;

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

export interface StreamedKey {
  readonly key: string;
  /** Entries of the tensor. */
  readonly n: number;
  /** Stored dtype of the inputs. */
  readonly dtype: string;
  /** Stored dtype of the output; undefined: not a float tensor, copied from the template. */
  readonly outDtype: FloatStorageDtype | undefined;
  /** Bytes of the tensor in the template model (copied keys). */
  readonly byteLength: number;
}

export interface StreamKeysOptions {
  readonly keys: readonly StreamedKey[];
  /** Readers of the inputs, the template (base) model first. */
  readonly readers: readonly DirectReader[];
  readonly hasBase: boolean;
  readonly merge: KeyMerge;
  readonly writer: ShardWriter;
  readonly chunkBytes?: number;
  /** Entries decoded and merged at a time (default 16384). */
  readonly runEntries?: number;
  /** After each key. */
  readonly onKey?: (key: StreamedKey) => void;
}

/** One piece of work: a piece of one key, for one scan (pass < passes) or the merge (pass = passes). */
interface Job {
  readonly key: StreamedKey;
  readonly tensor: TensorMerge | undefined;
  readonly pass: number;
  readonly start: number;
  readonly count: number;
}

/** A KeyMerge that only merges whole tensors, held whole for it. */
function wholeTensor(merge: KeyMerge, key: string, n: number, hasBase: boolean, inputs: number): TensorMerge {
  const values = Array.from({ length: inputs }, () => new Float32Array(n));
  let merged: Float32Array | undefined;
  return {
    passes: 1,
    scan(_pass, chunk, start) {
      const all = chunk.base ? [chunk.base, ...chunk.models] : chunk.models;
      all.forEach((x, i) => {
        values[i].set(x, start);
      });
    },
    merge(_chunk, start, out) {
      merged ??= merge({
        key,
        base: hasBase ? values[0] : undefined,
        models: hasBase ? values.slice(1) : values,
      });
      out.set(merged.subarray(start, start + out.length));
    },
  };
}

/** BF16 → float32 bits: a bfloat16 is the top half of a float32. */
function bf16Run(src: Uint16Array, from: number, out: Uint32Array, len: number): void {
  for (let i = 0; i < len; i++) out[i] = src[from + i] << 16;
}

/**
 * float32 → BF16, rounded to nearest even as PyTorch's `.to(torch.bfloat16)` (core's f32ToBf16);
 * returns how many values were NaN or infinite.
 */
function bf16Encode(bits: Uint32Array, out: Uint16Array, to: number, len: number): number {
  let bad = 0;
  for (let i = 0; i < len; i++) {
    const f = bits[i];
    const a = f & 0x7fffffff;
    if (a >= 0x7f800000) bad++;
    out[to + i] = a > 0x7f800000 ? (f >>> 16) | 0x0040 : (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
  }
  return bad;
}

function nonFinite(values: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) bad++;
  return bad;
}

export async function streamKeys(options: StreamKeysOptions): Promise<void> {
  const { keys, readers, hasBase, merge, writer } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const RUN = options.runEntries ?? DEFAULT_RUN;
  const M = readers.length;
  const streamable = typeof (merge as StreamableKeyMerge).tensor === 'function';
  // Read pieces are a whole number of runs, so F32 runs are aligned views.
  const chunkOf = (key: StreamedKey) =>
    key.outDtype === undefined
      ? chunkBytes
      : Math.max(RUN, Math.floor(chunkBytes / BYTES[key.dtype] / RUN) * RUN);
  const maxChunk = (key: StreamedKey) =>
    Math.min(chunkOf(key) * (key.outDtype === undefined ? 1 : BYTES[key.dtype]), key.byteLength);
  const readBytes = Math.max(0, ...keys.map(maxChunk));
  const slots = [0, 1].map(() => readers.map(() => Buffer.allocUnsafeSlow(readBytes)));
  const outBytes = Math.max(
    0,
    ...keys.map((k) => (k.outDtype ? Math.min(chunkOf(k), k.n) * BYTES[k.outDtype] : 0)),
  );
  const outSlots = [0, 1].map(() => Buffer.allocUnsafeSlow(outBytes));
  const runs = readers.map(() => new Float32Array(RUN));
  const runBits = runs.map((r) => new Uint32Array(r.buffer));
  const outRun = new Float32Array(RUN);
  const outRunBits = new Uint32Array(outRun.buffer);

  function* jobs(): Generator<Job> {
    for (const key of keys) {
      const step = chunkOf(key);
      if (key.outDtype === undefined) {
        for (let start = 0; start < key.byteLength || start === 0; start += step)
          yield { key, tensor: undefined, pass: 0, start, count: Math.min(step, key.byteLength - start) };
        continue;
      }
      const tensor = streamable
        ? (merge as StreamableKeyMerge).tensor(key.key, key.n)
        : wholeTensor(merge, key.key, key.n, hasBase, M);
      for (let pass = 0; pass <= tensor.passes; pass++)
        for (let start = 0; start < key.n || start === 0; start += step)
          yield { key, tensor, pass, start, count: Math.min(step, key.n - start) };
    }
  }

  const read = (job: Job, slot: number): Promise<Buffer[]> => {
    const { key, start, count } = job;
    if (key.outDtype === undefined)
      return readers[0].readRange(key.key, start, count, slots[slot][0]).then((b) => [b]);
    const size = BYTES[key.dtype];
    return Promise.all(
      readers.map((r, i) => r.readRange(key.key, start * size, count * size, slots[slot][i])),
    );
  };

  let writing: Promise<void> = Promise.resolve();
  const slotWrites: Promise<void>[] = [writing, writing];
  let bad = 0;
  const chunk: { base: Float32Array | undefined; models: Float32Array[] } = { base: undefined, models: [] };

  const process = async (job: Job, raw: Buffer[], outIndex: number): Promise<void> => {
    const outSlot = outSlots[outIndex];
    const { key, tensor, pass, start, count } = job;
    if (!tensor) {
      // a copied key: written before its buffer is read into again
      await writing;
      if (start === 0) await writer.begin(key.key, key.byteLength);
      await writer.append(raw[0]);
      if (start + count >= key.byteLength) options.onKey?.(key);
      return;
    }
    const merging = pass === tensor.passes;
    // the write of the piece this output buffer held before
    if (merging) await slotWrites[outIndex];
    const halves = raw.map((b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength >>> 1));
    const out = key.outDtype!;
    const outHalves = new Uint16Array(outSlot.buffer, outSlot.byteOffset, outSlot.byteLength >>> 1);
    const dtype = key.dtype as StoredDtype;
    const stored = out in BYTES ? (merging ? tensor.mergeStored : tensor.scanStored) : undefined;
    const fast =
      !stored && merging && hasBase && key.dtype === 'BF16' && out === 'BF16' ? tensor.mergeBf16 : undefined;
    if (stored) {
      const base = hasBase ? raw[0] : undefined;
      const models = hasBase ? raw.slice(1) : raw;
      if (merging) bad += tensor.mergeStored!(dtype, base, models, start, count, out as StoredDtype, outSlot);
      else tensor.scanStored!(pass, dtype, base, models, start, count);
    } else if (fast) bad += fast.call(tensor, halves[0], halves.slice(1), 0, count, outHalves);
    for (let from = 0; from < (fast || stored ? 0 : count); from += RUN) {
      const len = Math.min(RUN, count - from);
      const inputs: Float32Array[] = [];
      for (let m = 0; m < M; m++) {
        if (key.dtype === 'BF16') {
          bf16Run(halves[m], from, runBits[m], len);
          inputs.push(len === RUN ? runs[m] : runs[m].subarray(0, len));
        } else if (key.dtype === 'F16') {
          inputs.push(f16ToF32(halves[m].subarray(from, from + len), runs[m].subarray(0, len)));
        } else {
          const b = raw[m];
          inputs.push(new Float32Array(b.buffer, b.byteOffset + from * 4, len));
        }
      }
      chunk.base = hasBase ? inputs[0] : undefined;
      chunk.models = hasBase ? inputs.slice(1) : inputs;
      if (!merging) {
        tensor.scan(pass, chunk as KeyChunk, start + from);
        continue;
      }
      const result = len === RUN ? outRun : outRun.subarray(0, len);
      tensor.merge(chunk as KeyChunk, start + from, result);
      if (out === 'BF16') bad += bf16Encode(outRunBits, outHalves, from, len);
      else {
        bad += nonFinite(result);
        if (out === 'F16') f32ToF16(result, outHalves.subarray(from, from + len));
        else new Float32Array(outSlot.buffer, outSlot.byteOffset + from * 4, len).set(result);
      }
    }
    if (!merging) return;
    const last = start + count >= key.n;
    if (last && bad > 0) {
      throw new MergebenchError(
        `merged tensor '${key.key}' has ${bad} NaN or infinite values: an input holds some`,
      );
    }
    const bytes = outSlot.subarray(0, count * BYTES[out]);
    const previous = writing;
    writing = (async () => {
      await previous;
      if (start === 0) await writer.begin(key.key, key.n * BYTES[out]);
      await writer.append(bytes);
    })();
    writing.catch(() => {}); // awaited with the next piece or at the end
    slotWrites[outIndex] = writing;
    if (last) {
      bad = 0;
      options.onKey?.(key);
    }
  };

  const all = jobs();
  let current = all.next();
  let slot = 0;
  let pending = current.done ? undefined : read(current.value, slot);
  let outSlot = 0;
  try {
    while (!current.done) {
      const raw = await pending!;
      const next = all.next();
      pending = next.done ? undefined : read(next.value, slot ^ 1);
      // a rejected read-ahead is awaited in the next round or dropped with the error
      pending?.catch(() => {});
      const job = current.value;
      await process(job, raw, outSlot);
      if (job.tensor && job.pass === job.tensor.passes) outSlot ^= 1;
      current = next;
      slot ^= 1;
    }
    await writing;
  } catch (err) {
    await writing.catch(() => {});
    throw err;
  }
}
