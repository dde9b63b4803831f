/**
 * One model of a weights-only pool: a Hugging Face model folder (config.json plus
 * model.safetensors or a sharded index) given as a path or as a Hub id read from the Hugging Face
 * cache (`mergebench download owner/name` fetches it).
 */
import {
  type CheckpointSource,
  type HfConfig,
  MergebenchError,
  openCheckpoint,
  readHfConfig,
  resolveLocation,
} from '@mergebench/core';

export interface ModelFolder {
  /** The name given in the configuration (path or Hub id), for messages. */
  readonly name: string;
  readonly dir: string;
  readonly config: HfConfig;
}

/** Resolves a path (relative to `baseDir`) or Hub id to a folder and reads its config.json. */
export async function locateModelFolder(location: string, baseDir: string): Promise<ModelFolder> {
  if (typeof location !== 'string' || location === '') {
    throw new MergebenchError(`model ${JSON.stringify(location)}: expected a folder path or a Hub id`);
  }
  const dir = resolveLocation(location, 'model', baseDir, `model ${location}`);
  return { name: location, dir, config: await readHfConfig(dir) };
}

/** Opens the folder's weights, lazily (headers only). */
export function openFolderWeights(folder: ModelFolder): Promise<CheckpointSource> {
  return openCheckpoint(folder.dir);
}
