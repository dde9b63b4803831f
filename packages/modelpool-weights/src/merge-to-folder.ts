/**
 * A merge streamed from checkpoints on disk to a Hugging Face folder, tensor by tensor and piece
 * by piece: for each key of the template model (the base model, or the first model for methods
 * without one) pieces of the key of every model are read, merged run by run, encoded and written
 * at their place in the planned shards, while the next piece is already being read
 * (stream-keys.ts). Peak memory is a few pieces of every model, whatever the size of the models
 * or of their largest tensor.
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
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
} from '@mergebench/core';
import type { KeyMerge } from '@mergebench/task-vectors';
import { copyNonWeightFiles } from './copy-extras.js';
import { DirectReader } from './direct-reader.js';
import { assertSameLayout } from './layout-check.js';
import { type PlannedEntry, planEntry, planShards } from './shard-plan.js';
import { ShardWriter } from './shard-writer.js';
import { type StreamedKey, streamKeys } from './stream-keys.js';
import { FLOAT_DTYPES } from './tensor-codec.js';

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
  /** Bytes read per model at a time (default 4 MiB): memory is about 2 × models × this. */
  readonly chunkBytes?: number;
  /** Entries decoded and merged at a time (default 16384; tests use small ones). */
  readonly runEntries?: number;
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

  const readers = inputs.map((m) => new DirectReader(m.dir, m.weights));
  const streamed: StreamedKey[] = keys.map((key) => {
    const info = template.weights.info(key);
    return {
      key,
      n: info.shape.reduce((a, b) => a * b, 1),
      dtype: info.storedDtype,
      outDtype: isFloat(key) ? (dtypeOf.get(key) as FloatStorageDtype) : undefined,
      byteLength: info.end - info.begin,
    };
  });

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
        await streamKeys({
          keys: streamed,
          readers,
          hasBase: base !== undefined,
          merge,
          writer,
          chunkBytes: options.chunkBytes,
          runEntries: options.runEntries,
          onKey: (key) => {
            done += inputBytesOf(key.key);
            outputBytes += key.outDtype ? key.n * SAFETENSORS_DTYPES[key.outDtype].bytes : key.byteLength;
            options.onTensor?.(key.key, done, totalInput);
          },
        });
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
