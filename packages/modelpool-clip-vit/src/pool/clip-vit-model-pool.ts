import {
  assertSameLayout,
  type Logger,
  listNames,
  MergebenchError,
  type ModelLayout,
  type ModelPool,
  type Module,
  PRETRAINED,
  resolveLocation,
  type TensorSource,
} from '@mergebench/core';
import { loadWeightsInto } from '../checkpoint/load-weights.js';
import { describeSetAside } from '../checkpoint/tower-keys.js';
import {
  openVisionCheckpoint,
  PROJECTION_KEY,
  type VisionCheckpoint,
  visionTensors,
} from '../checkpoint/vision-checkpoint.js';
import type { ClipVisionConfig } from '../config/vision-config.js';
import { ClipVisionModelWithProjection } from '../nn/vision-model.js';
import { saveClipVisionModel } from './save-vision-model.js';

export interface ClipVitPoolOptions {
  /**
   * `_pretrained_` and task names → Hugging Face folders (relative paths resolve against baseDir)
   * or Hub ids (`openai/clip-vit-base-patch32`, `owner/name@revision`) in the Hugging Face cache.
   */
  readonly models: Readonly<Record<string, unknown>>;
  /** Folder relative model paths start from (default: the working directory). */
  readonly baseDir?: string;
  /** Vision config fields that replace every folder's (see CLIP_VISION_FIELDS). */
  readonly config?: Readonly<Record<string, unknown>> | null;
  readonly logger?: Logger;
}

const POOL = 'clip-vit model pool';

/**
 * CLIP vision models in Hugging Face folders: the pretrained model and the models fine-tuned from
 * it. Opening the pool reads every folder's config.json and safetensors headers, and checks that
 * all models share one architecture and the same keys and shapes; tensors are read only by
 * openWeights and loadModel. A CLIPVisionModel folder (no visual_projection, as the fine-tuned
 * checkpoints on the Hub) takes the pretrained model's projection, which fine-tuning leaves frozen.
 */
export class ClipVitModelPool implements ModelPool {
  readonly modelNames: readonly string[];
  readonly hasPretrained: boolean;
  /** Width of the image embeddings every model outputs: task heads are checked against it. */
  readonly featureDim: number | undefined;

  private constructor(
    private readonly dirs: ReadonlyMap<string, string>,
    private readonly configs: ReadonlyMap<string, ClipVisionConfig>,
    private readonly withoutProjection: ReadonlySet<string>,
    private readonly overrides: Readonly<Record<string, unknown>> | undefined,
  ) {
    this.modelNames = [...dirs.keys()].filter((name) => name !== PRETRAINED);
    this.hasPretrained = dirs.has(PRETRAINED);
    // checkSameArchitecture made them agree; the projection maps every model to this width.
    this.featureDim = [...configs.values()][0]?.projection_dim;
  }

  static async open(options: ClipVitPoolOptions): Promise<ClipVitModelPool> {
    const dirs = resolveModelDirs(options.models, options.baseDir ?? process.cwd());
    const overrides = options.config ?? undefined;
    const checkpoints = new Map<string, VisionCheckpoint>();
    try {
      for (const [name, dir] of dirs) {
        const checkpoint = await openVisionCheckpoint(dir, overrides);
        checkpoints.set(name, checkpoint);
        reportSetAside(options.logger, name, checkpoint);
      }
      checkSameArchitecture(checkpoints);
      assertSameLayout(
        [...checkpoints].map(([name, checkpoint]) => layoutOf(name, checkpoint, checkpoints.get(PRETRAINED))),
      );
    } finally {
      await Promise.all([...checkpoints.values()].map((checkpoint) => checkpoint.weights.close()));
    }
    const withoutProjection = new Set(
      [...checkpoints].filter(([, c]) => !c.hasProjection).map(([name]) => name),
    );
    const configs = new Map([...checkpoints].map(([name, checkpoint]) => [name, checkpoint.config]));
    return new ClipVitModelPool(dirs, configs, withoutProjection, overrides);
  }

  /** The folder of a model. */
  dirOf(name: string): string {
    const dir = this.dirs.get(name);
    if (dir === undefined)
      throw new MergebenchError(`${POOL}: no model '${name}' (models: ${listNames(this.dirs.keys())})`);
    return dir;
  }

  /** The vision config of a model, as read from its folder (with the pool's overrides). */
  configOf(name: string): ClipVisionConfig {
    this.dirOf(name);
    return this.configs.get(name)!;
  }

  async openWeights(name: string): Promise<TensorSource> {
    const checkpoint = await openVisionCheckpoint(this.dirOf(name), this.overrides);
    if (!this.withoutProjection.has(name)) return visionTensors(checkpoint);
    try {
      return visionTensors(checkpoint, await openVisionCheckpoint(this.dirOf(PRETRAINED), this.overrides));
    } catch (err) {
      await checkpoint.weights.close();
      throw err;
    }
  }

  async loadModel(name: string): Promise<Module> {
    const source = await this.openWeights(name);
    try {
      return await loadWeightsInto(new ClipVisionModelWithProjection(this.configOf(name)), source);
    } finally {
      await source.close();
    }
  }

  saveModel(model: Module, dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return saveClipVisionModel(model, dir, options);
  }
}

function reportSetAside(logger: Logger | undefined, name: string, checkpoint: VisionCheckpoint): void {
  const { summary, otherTowerTensors } = describeSetAside(checkpoint.setAside, 'vision');
  if (!logger || summary === '') return;
  const message = `${POOL}: ${name}: reading the vision tower of ${checkpoint.dir}; left aside: ${summary}`;
  // Leaving a whole text tower unread is worth a line; skipping saved position ids is routine.
  if (otherTowerTensors > 0) logger.info(message);
  else logger.debug(message);
}

function resolveModelDirs(models: Readonly<Record<string, unknown>>, baseDir: string): Map<string, string> {
  const entries = Object.entries(models);
  if (entries.length === 0) {
    throw new MergebenchError(
      `${POOL}: models is empty, expected ${PRETRAINED} and task names mapped to model folders`,
    );
  }
  return new Map(
    entries.map(([name, path]) => {
      if (typeof path !== 'string' || path === '') {
        throw new MergebenchError(
          `${POOL}: models.${name} is ${JSON.stringify(path)}, expected a model folder path or a Hub id (owner/name)`,
        );
      }
      // A folder on disk wins; otherwise an owner/name is a Hub id, read from the cache only.
      return [name, resolveLocation(path, 'model', baseDir, `${POOL}: models.${name}`)];
    }),
  );
}

/** Every model must have the reference model's (the pretrained one's, else the first's) architecture. */
function checkSameArchitecture(checkpoints: ReadonlyMap<string, VisionCheckpoint>): void {
  const [referenceName, reference] = checkpoints.has(PRETRAINED)
    ? [PRETRAINED, checkpoints.get(PRETRAINED)!]
    : [...checkpoints][0];
  for (const [name, checkpoint] of checkpoints) {
    for (const [field, value] of Object.entries(checkpoint.config)) {
      const expected = reference.config[field as keyof ClipVisionConfig];
      if (value !== expected) {
        throw new MergebenchError(
          `${POOL}: model '${name}' (${checkpoint.dir}) has ${field} ${JSON.stringify(value)}, expected ${JSON.stringify(expected)} as '${referenceName}'`,
        );
      }
    }
  }
}

/** A model's keys and shapes as the pool serves them (a missing projection taken from the pretrained model). */
function layoutOf(
  name: string,
  checkpoint: VisionCheckpoint,
  pretrained: VisionCheckpoint | undefined,
): ModelLayout {
  if (!checkpoint.hasProjection && !pretrained?.hasProjection) {
    throw new MergebenchError(
      `${POOL}: model '${name}' (${checkpoint.dir}) has no ${PROJECTION_KEY} (a CLIPVisionModel checkpoint) and the pool has no ${PRETRAINED} CLIP model to take it from`,
    );
  }
  const keys = checkpoint.hasProjection ? checkpoint.keys : [...checkpoint.keys, PROJECTION_KEY];
  return {
    name,
    keys,
    shape: (key) =>
      (key === PROJECTION_KEY && !checkpoint.hasProjection ? pretrained! : checkpoint).weights.info(key)
        .shape,
  };
}
