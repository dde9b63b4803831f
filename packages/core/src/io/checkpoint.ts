import { readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { listNames, MergebenchError } from '../errors.js';
import { disposeStateDict } from '../tensors/state-dict.js';
import type { StateDict, TensorSource } from '../tensors/types.js';
import { writeFileAtomic } from './atomic.js';
import { isPlainObject, pathKind, readJsonObject } from './files.js';
import { makeDirs } from './make-dirs.js';
import type { FloatStorageDtype } from './safetensors-format.js';
import {
  openSafetensors,
  type RawTensor,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors-reader.js';
import { type PlannedTensor, planTensors, type WritableTensor, writePlanned } from './safetensors-writer.js';

/** File names of a Hugging Face checkpoint folder. */
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const SHARD_NAME = /^model-\d{5}-of-\d{5}\.safetensors$/;

/** Hugging Face's default largest shard, "5GB". */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

/** A checkpoint on disk: one safetensors file or a sharded set, read lazily tensor by tensor. */
export interface CheckpointSource extends TensorSource {
  /** `__metadata__` of the file (of the first shard, for a sharded checkpoint), if any. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  has(key: string): boolean;
  info(key: string): SafetensorsEntry;
  /** The stored bytes, unchanged (for bit-exact copies). */
  readRaw(key: string): Promise<RawTensor>;
}

/** `model-00002-of-00005.safetensors` for index 1 (0-based) of 5 shards, as Hugging Face names them. */
export function shardFileName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

/**
 * A Hugging Face sharded checkpoint: `model.safetensors.index.json` ({metadata, weight_map:
 * {tensor: shard file}}) beside its shard files, read as one source. Every shard's header is read
 * (and checked against the weight map) when it is opened, because `info()` answers synchronously;
 * tensor data is read on demand. Keys come shard by shard (shards in file-name order), in data
 * order within a shard, which is the order they were saved in; Hugging Face sorts the weight map
 * itself alphabetically.
 */
export class ShardedCheckpoint implements CheckpointSource {
  private readonly shardOf = new Map<string, SafetensorsFile>();
  readonly metadata: Readonly<Record<string, string>> | undefined;

  constructor(
    /** The index file's path. */
    readonly origin: string,
    /** The open shards, by file name. */
    private readonly shards: ReadonlyMap<string, SafetensorsFile>,
    weightMap: ReadonlyMap<string, string>,
    /** The index's `metadata` object (Hugging Face puts `total_size` there). */
    readonly indexMetadata: Readonly<Record<string, unknown>>,
  ) {
    const fileNames = [...shards.keys()].sort();
    this.metadata = fileNames.length > 0 ? shards.get(fileNames[0])!.metadata : undefined;
    for (const fileName of fileNames) {
      const shard = shards.get(fileName)!;
      for (const key of shard.keys()) {
        if (weightMap.get(key) === fileName) this.shardOf.set(key, shard);
      }
    }
  }

  keys(): string[] {
    return [...this.shardOf.keys()];
  }

  has(key: string): boolean {
    return this.shardOf.has(key);
  }

  private shard(key: string): SafetensorsFile {
    const shard = this.shardOf.get(key);
    if (!shard) {
      throw new MergebenchError(
        `${this.origin}: no tensor '${key}' (${this.shardOf.size} tensors: ${listNames(this.shardOf.keys(), 5)})`,
      );
    }
    return shard;
  }

  info(key: string): SafetensorsEntry {
    return this.shard(key).info(key);
  }

  read(key: string): Promise<tf.Tensor> {
    return this.shard(key).read(key);
  }

  readRaw(key: string): Promise<RawTensor> {
    return this.shard(key).readRaw(key);
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((shard) => shard.close()));
  }
}

/** Opens a sharded checkpoint from its index file; see ShardedCheckpoint. */
export async function openShardedCheckpoint(indexPath: string): Promise<ShardedCheckpoint> {
  const dir = dirname(indexPath);
  const index = await readJsonObject(indexPath, 'no such index file');
  if (!isPlainObject(index.weight_map)) {
    throw new MergebenchError(`${indexPath}: expected a "weight_map" object`);
  }
  if (index.metadata !== undefined && !isPlainObject(index.metadata)) {
    throw new MergebenchError(`${indexPath}: "metadata" must be an object`);
  }
  const weightMap = new Map<string, string>();
  const keysByShard = new Map<string, string[]>();
  for (const [key, file] of Object.entries(index.weight_map)) {
    if (typeof file !== 'string' || !resolve(dir, file).startsWith(resolve(dir) + sep)) {
      throw new MergebenchError(
        `${indexPath}: weight_map entry '${key}' names ${JSON.stringify(file)}, not a file in ${dir}`,
      );
    }
    weightMap.set(key, file);
    const list = keysByShard.get(file) ?? [];
    list.push(key);
    keysByShard.set(file, list);
  }

  const shards = new Map<string, SafetensorsFile>();
  try {
    for (const [file, keys] of keysByShard) {
      const path = join(dir, file);
      if ((await pathKind(path)) !== 'file') {
        throw new MergebenchError(
          `${indexPath}: weight_map sends ${keys.length} tensor(s) (${listNames(keys, 3)}) to missing shard ${file}`,
        );
      }
      const shard = await openSafetensors(path);
      shards.set(file, shard);
      const absent = keys.filter((key) => !shard.has(key));
      if (absent.length > 0) {
        throw new MergebenchError(
          `${indexPath}: weight_map puts tensor(s) ${listNames(absent, 3)} in shard ${file}, which does not hold them`,
        );
      }
    }
  } catch (err) {
    await Promise.all([...shards.values()].map((shard) => shard.close().catch(() => {})));
    throw err;
  }
  return new ShardedCheckpoint(
    indexPath,
    shards,
    weightMap,
    (index.metadata as Record<string, unknown>) ?? {},
  );
}

/**
 * Opens a checkpoint: a `.safetensors` file, a `model.safetensors.index.json` file, or a folder
 * holding `model.safetensors` (preferred, as Hugging Face does) or a sharded checkpoint with
 * `model.safetensors.index.json`.
 */
export async function openCheckpoint(path: string): Promise<CheckpointSource> {
  const found = await pathKind(path);
  if (found === undefined) throw new MergebenchError(`${path}: no such checkpoint file or folder`);
  if (found === 'file') {
    return path.endsWith('.index.json') ? openShardedCheckpoint(path) : openSafetensors(path);
  }
  if ((await pathKind(join(path, SINGLE_FILE))) === 'file') return openSafetensors(join(path, SINGLE_FILE));
  if ((await pathKind(join(path, INDEX_FILE))) === 'file')
    return openShardedCheckpoint(join(path, INDEX_FILE));
  const names = await readdir(path);
  const hint = names.some((name) => name.endsWith('.bin') || name.endsWith('.pt'))
    ? '; PyTorch pickle checkpoints (.bin, .pt) are not read, convert them to safetensors'
    : '';
  throw new MergebenchError(
    `${path}: no ${SINGLE_FILE} or ${INDEX_FILE} in this folder (it holds: ${listNames(names.sort(), 8)})${hint}`,
  );
}

export interface WriteCheckpointOptions {
  /**
   * Largest shard in bytes (default 5 GB, as Hugging Face). A bigger checkpoint is split, in map
   * order, into `model-00001-of-0000N.safetensors` files plus `model.safetensors.index.json`; a
   * single tensor larger than this gets a shard of its own.
   */
  readonly maxShardBytes?: number;
  /**
   * `__metadata__` of every file written. `format: "pt"` is added unless given, because
   * transformers refuses safetensors files whose metadata lacks a known format.
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Storage for float32 tensors (default F32); see WriteSafetensorsOptions. */
  readonly dtype?: FloatStorageDtype;
}

export interface CheckpointWriteResult {
  /** File names written in the folder, the index last when there is one. */
  readonly files: string[];
  /** Bytes of tensor data (the index's `total_size`). */
  readonly totalBytes: number;
}

/** Splits planned tensors greedily, in order, into shards of at most `maxBytes` (an oversize tensor alone). */
function splitShards(plan: readonly PlannedTensor[], maxBytes: number): PlannedTensor[][] {
  const shards: PlannedTensor[][] = [];
  let current: PlannedTensor[] = [];
  let size = 0;
  for (const item of plan) {
    if (current.length > 0 && size + item.byteLength > maxBytes) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.byteLength;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * Writes tensors into the folder `dir` (created if missing) as a Hugging Face checkpoint:
 * `model.safetensors`, or shards plus the index (with `metadata.total_size`) when they exceed
 * `maxShardBytes`. Each file is written atomically; afterwards checkpoint files of an earlier
 * write that the new one does not use (`model.safetensors`, the index, `model-*-of-*` shards) are
 * removed, so the folder opens as what was just written. To replace a whole folder atomically,
 * call this inside `replaceDirAtomic` (as `saveHfFolder` does).
 */
export async function writeCheckpoint(
  dir: string,
  tensors: ReadonlyMap<string, WritableTensor>,
  options: WriteCheckpointOptions = {},
): Promise<CheckpointWriteResult> {
  const maxShardBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!(maxShardBytes > 0))
    throw new MergebenchError(`${dir}: maxShardBytes must be positive, got ${maxShardBytes}`);
  const plan = planTensors(tensors, options.dtype, dir);
  const metadata = { format: 'pt', ...options.metadata };
  const totalBytes = plan.reduce((sum, item) => sum + item.byteLength, 0);
  const shards = splitShards(plan, maxShardBytes);
  await makeDirs(dir, 'checkpoint folder');

  const files: string[] = [];
  if (shards.length === 1) {
    await writePlanned(join(dir, SINGLE_FILE), plan, metadata);
    files.push(SINGLE_FILE);
  } else {
    const weightMap: [string, string][] = [];
    for (let i = 0; i < shards.length; i++) {
      const name = shardFileName(i, shards.length);
      await writePlanned(join(dir, name), shards[i], metadata);
      for (const item of shards[i]) weightMap.push([item.name, name]);
      files.push(name);
    }
    const index = { metadata: { total_size: totalBytes }, weight_map: Object.fromEntries(weightMap) };
    await writeFileAtomic(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
    files.push(INDEX_FILE);
  }
  const stale = (await readdir(dir)).filter(
    (name) => (name === SINGLE_FILE || name === INDEX_FILE || SHARD_NAME.test(name)) && !files.includes(name),
  );
  // a stale model.safetensors would take precedence over a new index: remove it (and a stale index) first
  const first = (name: string) => Number(name === SINGLE_FILE || name === INDEX_FILE);
  stale.sort((a, b) => first(b) - first(a));
  for (const name of stale) await rm(join(dir, name), { force: true });
  return { files, totalBytes };
}

/**
 * Reads tensors from a source into a StateDict (all keys, or `keys` in that order). The caller
 * owns the tensors; if a read fails, those already read are disposed.
 */
export async function readStateDict(
  source: TensorSource,
  keys: readonly string[] = source.keys(),
): Promise<StateDict> {
  const state: StateDict = new Map();
  try {
    for (const key of keys) state.set(key, await source.read(key));
  } catch (err) {
    disposeStateDict(state);
    throw err;
  }
  return state;
}
