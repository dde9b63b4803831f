import { stat } from 'node:fs/promises';
import {
  CONFIG_FILE,
  type CreateContext,
  hasService,
  hubCacheDir,
  MergebenchError,
  readHfConfig,
  resolveLocation,
  resolveService,
  TOKENS,
} from '@mergebench/core';

type Container = CreateContext['container'];

/** The model pool's pretrained model as the run's config names it, if it does. */
export function pretrainedFromRunConfig(container: Container | undefined): string | undefined {
  if (!container || !hasService(container, TOKENS.config)) return undefined;
  const models = resolveService(container, TOKENS.config).modelpool.models as
    | Record<string, unknown>
    | undefined;
  const value = models?._pretrained_;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A CLIPModel folder with the facts the task pool needs from its config. */
export interface ClipModelFolder {
  readonly dir: string;
  /** The vision tower's input side (`vision_config.image_size`). */
  readonly imageSize: number;
}

/**
 * Resolves `taskpool.clip_model` (a folder or a Hub id in the cache), or, when it is null, the
 * model pool's `_pretrained_` model, and checks it is a whole CLIPModel (text tower and logit scale).
 */
export async function resolveClipModel(
  clipModel: string | null,
  container: Container | undefined,
  baseDir: string,
  cacheDir = hubCacheDir(),
): Promise<ClipModelFolder> {
  const fromPool = clipModel === null ? pretrainedFromRunConfig(container) : undefined;
  const value = clipModel ?? fromPool;
  if (value === undefined) {
    throw new MergebenchError(
      'taskpool.clip_model: not set, and the model pool has no models._pretrained_ to take it from; set taskpool.clip_model to a CLIPModel folder or Hub id (e.g. openai/clip-vit-base-patch32)',
    );
  }
  const what =
    clipModel === null
      ? 'modelpool.models._pretrained_ (taken as taskpool.clip_model)'
      : 'taskpool.clip_model';
  const dir = resolveLocation(value, 'model', baseDir, what, cacheDir);
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new MergebenchError(`${what}: no CLIP model folder at ${dir}`);
  }
  const config = (await readHfConfig(dir)) as {
    model_type?: unknown;
    vision_config?: { image_size?: unknown };
  };
  if (config.model_type !== 'clip') {
    throw new MergebenchError(
      `${what}: ${dir}/${CONFIG_FILE} has model_type ${JSON.stringify(config.model_type)}; zero-shot heads need a whole CLIPModel (model_type "clip", with its text tower), e.g. openai/clip-vit-base-patch32`,
    );
  }
  const imageSize = config.vision_config?.image_size ?? 224;
  if (!Number.isInteger(imageSize) || (imageSize as number) <= 0) {
    throw new MergebenchError(`${dir}/${CONFIG_FILE}: vision_config.image_size must be a positive integer`);
  }
  return { dir, imageSize: imageSize as number };
}
