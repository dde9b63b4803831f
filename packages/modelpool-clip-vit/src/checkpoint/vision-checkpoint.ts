import { join } from 'node:path';
import {
  type CheckpointSource,
  CONFIG_FILE,
  MergebenchError,
  openCheckpoint,
  readHfConfig,
  type TensorSource,
} from '@mergebench/core';
import { type ClipVisionConfig, visionConfigFromHf } from '../config/vision-config.js';
import { ClipVisionModelWithProjection } from '../nn/vision-model.js';
import { loadWeightsInto } from './load-weights.js';
import { SelectedTensors } from './selected-tensors.js';
import { splitTowerKeys } from './tower-keys.js';

/** The key of the image projection, which CLIPVisionModel checkpoints lack. */
export const PROJECTION_KEY = 'visual_projection.weight';

/** A Hugging Face folder opened for its vision tower: config and tensor headers, data unread. */
export interface VisionCheckpoint {
  readonly dir: string;
  readonly config: ClipVisionConfig;
  /** The folder's weights (all of them); the tower reads `keys`. */
  readonly weights: CheckpointSource;
  /** The vision tower's keys in the file. */
  readonly keys: readonly string[];
  /** Keys left out by rule (see splitTowerKeys). */
  readonly setAside: readonly string[];
  /** False for a CLIPVisionModel checkpoint, which has no visual_projection. */
  readonly hasProjection: boolean;
}

/**
 * Opens a CLIPVisionModelWithProjection, CLIPVisionModel or CLIPModel folder: config.json (with
 * `overrides` applied to the vision config) and the safetensors headers. The caller closes
 * `weights`.
 */
export async function openVisionCheckpoint(
  dir: string,
  overrides?: Readonly<Record<string, unknown>>,
): Promise<VisionCheckpoint> {
  const config = visionConfigFromHf(await readHfConfig(dir), join(dir, CONFIG_FILE), overrides);
  const weights = await openCheckpoint(dir);
  const { own, setAside } = splitTowerKeys(weights.keys(), 'vision');
  return { dir, config, weights, keys: own, setAside, hasProjection: own.includes(PROJECTION_KEY) };
}

/**
 * The vision tower's tensors of `checkpoint` as one source; a checkpoint without a projection takes
 * `projectionFrom`'s. The source owns (and closes) both checkpoints' files.
 */
export function visionTensors(checkpoint: VisionCheckpoint, projectionFrom?: VisionCheckpoint): TensorSource {
  const sourceOf = new Map<string, TensorSource>(checkpoint.keys.map((key) => [key, checkpoint.weights]));
  const owned: TensorSource[] = [checkpoint.weights];
  if (!checkpoint.hasProjection) {
    if (!projectionFrom?.hasProjection) {
      throw new MergebenchError(
        `${checkpoint.dir}: has no ${PROJECTION_KEY} (a CLIPVisionModel checkpoint); give a CLIP folder to take the projection from`,
      );
    }
    sourceOf.set(PROJECTION_KEY, projectionFrom.weights);
    owned.push(projectionFrom.weights);
  }
  return new SelectedTensors(checkpoint.dir, sourceOf, owned);
}

export interface LoadVisionOptions {
  /** Vision config fields that replace the folder's (e.g. `{ hidden_act: 'gelu' }`). */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * A CLIP folder whose visual_projection a CLIPVisionModel checkpoint (which has none) uses: the
   * pretrained model the checkpoint was fine-tuned from, whose projection fine-tuning left frozen.
   */
  readonly projectionFrom?: string;
}

/**
 * Builds a CLIP vision model from a Hugging Face folder (CLIPVisionModelWithProjection,
 * CLIPVisionModel with `projectionFrom`, or a whole CLIPModel, whose text tower is left aside) and
 * loads its weights strictly.
 */
export async function loadClipVisionModel(
  dir: string,
  options: LoadVisionOptions = {},
): Promise<ClipVisionModelWithProjection> {
  const checkpoint = await openVisionCheckpoint(dir, options.config);
  const opened: TensorSource[] = [checkpoint.weights];
  let source: TensorSource;
  try {
    let donor: VisionCheckpoint | undefined;
    if (options.projectionFrom !== undefined && !checkpoint.hasProjection) {
      donor = await openVisionCheckpoint(options.projectionFrom);
      opened.push(donor.weights);
    }
    source = visionTensors(checkpoint, donor);
  } catch (err) {
    await Promise.all(opened.map((weights) => weights.close()));
    throw err;
  }
  try {
    return await loadWeightsInto(new ClipVisionModelWithProjection(checkpoint.config), source);
  } finally {
    await source.close();
  }
}
