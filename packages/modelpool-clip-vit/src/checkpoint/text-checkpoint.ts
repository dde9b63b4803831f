import { join } from 'node:path';
import { CONFIG_FILE, MergebenchError, openCheckpoint, readHfConfig } from '@mergebench/core';
import { textConfigFromHf } from '../config/text-config.js';
import { ClipTextModelWithProjection } from '../nn/text-model.js';
import { loadWeightsInto } from './load-weights.js';
import { SelectedTensors } from './selected-tensors.js';
import { splitTowerKeys } from './tower-keys.js';

export interface LoadTextOptions {
  /** Text config fields that replace the folder's (e.g. `{ eos_token_id: 49407 }`). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * Builds a CLIP text model from a Hugging Face folder (CLIPTextModelWithProjection, or a whole
 * CLIPModel, whose vision tower is left aside) and loads its weights strictly.
 */
export async function loadClipTextModel(
  dir: string,
  options: LoadTextOptions = {},
): Promise<ClipTextModelWithProjection> {
  const config = textConfigFromHf(await readHfConfig(dir), join(dir, CONFIG_FILE), options.config);
  const weights = await openCheckpoint(dir);
  const { own } = splitTowerKeys(weights.keys(), 'text');
  const source = new SelectedTensors(dir, new Map(own.map((key) => [key, weights])), [weights]);
  try {
    return await loadWeightsInto(new ClipTextModelWithProjection(config), source);
  } finally {
    await source.close();
  }
}

/** CLIP's `logit_scale` (the log of the logits' temperature) from a CLIPModel folder. */
export async function loadClipLogitScale(dir: string): Promise<number> {
  const weights = await openCheckpoint(dir);
  try {
    if (!weights.has('logit_scale')) {
      throw new MergebenchError(`${dir}: no logit_scale tensor (a CLIPModel checkpoint has one)`);
    }
    const tensor = await weights.read('logit_scale');
    const [value] = tensor.dataSync();
    tensor.dispose();
    return value;
  } finally {
    await weights.close();
  }
}
