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
import { join } from 'node:path';
import {
  type CheckpointSource,
  type FloatStorageDtype,
  type HfConfig,
  MergebenchError,
  type RawTensor,
  replaceDirAtomic,
  type SafetensorsDtype,
} from '@mergebench/core';
import type { KeyMerge } from '@mergebench/task-vectors';
import { copyNonWeightFiles } from './copy-extras.js';
import { assertSameLayout } from './layout-check.js';
import { type PlannedEntry, planEntry, planShards } from './shard-plan.js';
import { ShardWriter } from './shard-writer.js';
import { decodeFloat, encodeFloat, FLOAT_DTYPES } from './tensor-codec.js';

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

  const readKey = (key: string): Promise<RawTensor[]> =>
    isFloat(key)
      ? Promise.all(inputs.map((m) => m.weights.readRaw(key)))
      : template.weights.readRaw(key).then((raw) => [raw]);

  let files: string[] = [];
  let done = 0;
  let outputBytes = 0;
  await replaceDirAtomic(
    options.out,
    async (tmp) => {
      const writer = new ShardWriter(tmp, shards);
      try {
        let next = keys.length > 0 ? readKey(keys[0]) : undefined;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k];
          const raws = await next!;
          next = k + 1 < keys.length ? readKey(keys[k + 1]) : undefined;
          // a rejected read-ahead is awaited in the next round or dropped with the error
          next?.catch(() => {});
          let bytes: Uint8Array;
          if (isFloat(key)) {
            const values = raws.map((raw, i) => decodeFloat(raw, `${inputs[i].name}: tensor '${key}'`));
            const merged = merge({
              key,
              base: base ? values[0] : undefined,
              models: base ? values.slice(1) : values,
            });
            bytes = encodeFloat(merged, dtypeOf.get(key) as FloatStorageDtype);
            done += inputBytesOf(key);
          } else bytes = raws[0].data;
          await writer.write(key, bytes);
          outputBytes += bytes.byteLength;
          options.onTensor?.(key, done, totalInput);
        }
        files = await writer.finish();
      } catch (err) {
        await writer.abort();
        throw err;
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
