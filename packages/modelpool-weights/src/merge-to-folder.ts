/**
 * A merge streamed from checkpoints on disk to a Hugging Face folder, tensor by tensor: for each
 * key of the template model (the base model, or the first model for methods without one) the
 * key of every model is read and decoded to float32, merged, encoded and written at its place in
 * the planned shards, while the next key is already being read. Peak memory is about two keys
 * of every model plus one output, whatever the size of the models.
 *
 * Everything is checked (keys, shapes and dtypes of every model, the output dtype) before the
 * output folder exists; the folder is built beside its target and moved into place whole, so a
 * failed or killed merge leaves no partial output.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type CheckpointSource,
  type FloatStorageDtype,
  type HfConfig,
  MergebenchError,
  removeStaleTemporaries,
  replaceDirAtomic,
  type SafetensorsDtype,
} from '@mergebench/core';
import type { KeyMerge } from '@mergebench/task-vectors';
import { copyNonWeightFiles } from './copy-extras.js';
import { DirectReader } from './direct-reader.js';
import { assertSameLayout } from './layout-check.js';
import { type PlannedEntry, planEntry, planShards } from './shard-plan.js';
import { ShardWriter } from './shard-writer.js';
import { decodeFloat, encodeFloat, FLOAT_DTYPES } from './tensor-codec.js';

/** NaN or ±Infinity in a merged tensor comes from an input (the readers do not check them). */
function assertFinite(values: Float32Array, key: string): void {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) bad++;
  if (bad > 0)
    throw new MergebenchError(
      `merged tensor '${key}' has ${bad} NaN or infinite values: an input holds some`,
    );
}

/** Hugging Face's largest shard by default ("5GB"), as mergekit's `max_shard_size`. */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface MergeModel {
  readonly name: string;
  readonly dir: string;
  readonly config: HfConfig;
  readonly weights: CheckpointSource;
}

export interface MergeToFolderOptions {
  /** θ₀, handed to the merge as `base`; its config, tokenizer and layout are the output's. */
  readonly base: MergeModel | undefined;
  /** The other models, in configuration order. */
  readonly models: readonly MergeModel[];
  readonly merge: KeyMerge;
  readonly out: string;
  /** Storage of float tensors (default: each tensor's dtype in the template model). */
  readonly dtype?: FloatStorageDtype;
  readonly maxShardBytes?: number;
  readonly overwrite?: boolean;
  /** Called after each tensor with bytes of input read so far. */
  readonly onTensor?: (key: string, done: number, total: number) => void;
}

export interface MergeToFolderResult {
  readonly files: readonly string[];
  readonly tensors: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
}

const TORCH_DTYPE: Record<string, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export async function mergeToFolder(options: MergeToFolderOptions): Promise<MergeToFolderResult> {
  const { base, models, merge } = options;
  const template = base ?? models[0];
  if (!template) throw new MergebenchError('merge: no models to merge');
  const others = base ? models : models.slice(1);
  assertSameLayout(template, others);
  const inputs = base ? [base, ...models] : [...models];

  const keys = template.weights.keys();
  const isFloat = (key: string) => FLOAT_DTYPES.includes(template.weights.info(key).storedDtype);
  const entries: PlannedEntry[] = keys.map((key) => {
    const info = template.weights.info(key);
    const dtype = isFloat(key) && options.dtype ? options.dtype : (info.storedDtype as SafetensorsDtype);
    return planEntry(key, dtype, info.shape);
  });
  const shards = planShards(entries, options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES);
  const dtypeOf = new Map(entries.map((e) => [e.key, e.dtype]));
  const inputBytesOf = (key: string) =>
    isFloat(key) ? inputs.reduce((n, m) => n + (m.weights.info(key).end - m.weights.info(key).begin), 0) : 0;
  const totalInput = keys.reduce((n, key) => n + inputBytesOf(key), 0);

  // Two raw buffers per model (the key being merged and the one read ahead), one float32 array
  // per model and one output, all of the largest tensor's size and reused for every key.
  const maxElements = Math.max(
    0,
    ...keys.map((key) => template.weights.info(key).shape.reduce((a, b) => a * b, 1)),
  );
  const maxBytes = Math.max(
    0,
    ...keys.map((key) => template.weights.info(key).end - template.weights.info(key).begin),
  );
  const readers = inputs.map((m) => new DirectReader(m.dir, m.weights));
  const raw = [0, 1].map(() => inputs.map(() => Buffer.allocUnsafe(maxBytes)));
  const floats = inputs.map(() => new Float32Array(maxElements));
  const output = new Float32Array(maxElements);
  const halves = new Uint16Array(maxElements);
  const readKey = (key: string, slot: number): Promise<Buffer[]> =>
    isFloat(key)
      ? Promise.all(readers.map((r, i) => r.read(key, raw[slot][i])))
      : readers[0].read(key, raw[slot][0]).then((b) => [b]);

  // A merge killed earlier (SIGKILL, power loss) left its temporary folder beside the target.
  await removeStaleTemporaries(dirname(resolve(options.out)), 0, basename(resolve(options.out)));

  let files: string[] = [];
  let done = 0;
  let outputBytes = 0;
  await replaceDirAtomic(
    options.out,
    async (tmp) => {
      const writer = new ShardWriter(tmp, shards);
      try {
        let next = keys.length > 0 ? readKey(keys[0], 0) : undefined;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k];
          const bytesIn = await next!;
          next = k + 1 < keys.length ? readKey(keys[k + 1], (k + 1) % 2) : undefined;
          // a rejected read-ahead is awaited in the next round or dropped with the error
          next?.catch(() => {});
          let bytes: Uint8Array;
          if (isFloat(key)) {
            const dtype = template.weights.info(key).storedDtype;
            const values = bytesIn.map((b, i) =>
              decodeFloat(dtype, b, `${inputs[i].name}: tensor '${key}'`, floats[i]),
            );
            const merged = merge(
              { key, base: base ? values[0] : undefined, models: base ? values.slice(1) : values },
              output.subarray(0, values[0].length),
            );
            assertFinite(merged, key);
            bytes = encodeFloat(merged, dtypeOf.get(key) as FloatStorageDtype, halves);
            done += inputBytesOf(key);
          } else bytes = bytesIn[0];
          await writer.write(key, bytes);
          outputBytes += bytes.byteLength;
          options.onTensor?.(key, done, totalInput);
        }
        files = await writer.finish();
      } catch (err) {
        await writer.abort();
        throw err;
      } finally {
        await Promise.all(readers.map((r) => r.close().catch(() => {})));
      }
      const config = { ...template.config };
      if (options.dtype) config.torch_dtype = TORCH_DTYPE[options.dtype];
      await writeFile(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      files.push('config.json', ...(await copyNonWeightFiles(template.dir, tmp)));
    },
    { overwrite: options.overwrite },
  );
  return { files, tensors: keys.length, inputBytes: totalInput, outputBytes };
}
