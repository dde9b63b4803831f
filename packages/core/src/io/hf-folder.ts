import { join } from 'node:path';
import { MergebenchError } from '../errors.js';
import { replaceDirAtomic, writeFileAtomic } from './atomic.js';
import {
  type CheckpointSource,
  type CheckpointWriteResult,
  openCheckpoint,
  type WriteCheckpointOptions,
  writeCheckpoint,
} from './checkpoint.js';
import { pathKind, readJsonObject } from './files.js';
import type { WritableTensor } from './safetensors-writer.js';

export const CONFIG_FILE = 'config.json';

/** A Hugging Face `config.json`, as parsed (model_type, hidden_size, …). */
export type HfConfig = Record<string, unknown>;

/** Reads `config.json` of a Hugging Face model folder. A missing folder or file, or bad JSON, is an error naming the path. */
export async function readHfConfig(dir: string): Promise<HfConfig> {
  const found = await pathKind(dir).catch((err: Error) => {
    throw new MergebenchError(`${dir}: cannot read (${err.message})`);
  });
  if (found === undefined) throw new MergebenchError(`${dir}: no such model folder`);
  if (found === 'file') throw new MergebenchError(`${dir}: is a file, not a model folder`);
  return readJsonObject(join(dir, CONFIG_FILE), 'missing (a Hugging Face model folder holds a config.json)');
}

/** Opens a Hugging Face model folder: its config and its weights (read lazily). */
export async function openHfFolder(dir: string): Promise<{ config: HfConfig; weights: CheckpointSource }> {
  const config = await readHfConfig(dir);
  return { config, weights: await openCheckpoint(dir) };
}

export interface SaveHfFolderOptions extends WriteCheckpointOptions {
  readonly config: HfConfig;
  readonly tensors: ReadonlyMap<string, WritableTensor>;
  /** Replace an existing folder (default false: an existing folder is an error). */
  readonly overwrite?: boolean;
}

/**
 * Saves a Hugging Face model folder: `config.json` plus the weights (`model.safetensors`, or
 * shards and an index beyond `maxShardBytes`). The folder is built beside its target and moved
 * into place as a whole, so a failure leaves no partial folder and an existing one untouched.
 */
export async function saveHfFolder(
  dir: string,
  options: SaveHfFolderOptions,
): Promise<CheckpointWriteResult> {
  const { config, tensors, overwrite, ...writeOptions } = options;
  let result: CheckpointWriteResult | undefined;
  await replaceDirAtomic(
    dir,
    async (tmp) => {
      await writeFileAtomic(join(tmp, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      result = await writeCheckpoint(tmp, tensors, writeOptions);
    },
    { overwrite },
  );
  return { ...result!, files: [CONFIG_FILE, ...result!.files] };
}
