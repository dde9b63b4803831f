import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { BUILTIN_TASK_NAMES } from '@mergebench/taskpool-image-classification';

/**
 * Everything that determines the zoo. Its hash names the cache, so changing a size rebuilds.
 * Sizes are chosen for a 2-core machine: the whole zoo builds in well under 30 minutes on the
 * wasm backend and evaluating all eight tasks takes seconds.
 */
export interface ZooSpec {
  /** A Hugging Face CLIPVisionConfig: the same code path as real CLIP, at a small size. */
  readonly vision: Readonly<Record<string, number | string>>;
  readonly tasks: readonly string[];
  /** Task pool data settings shared by every step. */
  readonly data: {
    readonly imageSize: number;
    readonly trainSize: number;
    readonly testSize: number;
    readonly seed: number;
  };
  /**
   * Broad pretraining; `logitScale` multiplies the heads' cosines (CLIP's trained value is 100).
   * `objective` 'tasks' (the default): the encoder and one cosine head per task trained jointly
   * on the tasks' labels, briefly. 'rotation': the encoder alone, self-supervised on every task's
   * images (pretrain-rotation.ts), the heads then the class prototypes of `headExamples`
   * labelled images per task (prototype-heads.ts). 'checkpoint': the encoder is the Hugging Face
   * folder `checkpoint` (relative to the spec file), pretrained elsewhere, e.g. by
   * tools/pretrain/pretrain_procedural.py; `steps`, `batchSize` and `lr` are then unused and the
   * heads are prototypes as for 'rotation'. `batchSize` is per task.
   */
  readonly pretrain: {
    readonly steps: number;
    readonly batchSize: number;
    readonly lr: number;
    readonly logitScale: number;
    readonly objective?: 'tasks' | 'rotation' | 'checkpoint';
    readonly headExamples?: number;
    readonly checkpoint?: string;
  };
  /** Fine-tuning of the encoder on one task with that task's head frozen. */
  readonly finetune: { readonly steps: number; readonly batchSize: number; readonly lr: number };
  readonly seed: number;
}

export const DEFAULT_ZOO_SPEC: ZooSpec = {
  vision: {
    hidden_size: 64,
    intermediate_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_channels: 3,
    image_size: 32,
    patch_size: 8,
    projection_dim: 64,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
  },
  tasks: BUILTIN_TASK_NAMES,
  data: { imageSize: 32, trainSize: 4096, testSize: 512, seed: 0 },
  pretrain: { steps: 100, batchSize: 32, lr: 2e-3, logitScale: 20 },
  finetune: { steps: 800, batchSize: 32, lr: 5e-4 },
  seed: 0,
};

/** The default spec, or one with some fields replaced from a JSON file (`--spec`), to try other zoo sizes. */
export function loadZooSpec(file: string | undefined): ZooSpec {
  if (!file) return DEFAULT_ZOO_SPEC;
  let changes: Partial<ZooSpec>;
  try {
    changes = JSON.parse(readFileSync(file, 'utf8')) as Partial<ZooSpec>;
  } catch (e) {
    throw new MergebenchError(
      `--spec ${file}: expected a JSON object of zoo settings (${(e as Error).message})`,
    );
  }
  const spec = { ...DEFAULT_ZOO_SPEC, ...changes };
  const { objective, checkpoint } = spec.pretrain;
  if ((objective === 'checkpoint') !== (checkpoint !== undefined)) {
    throw new MergebenchError(
      `--spec ${file}: pretrain.checkpoint (a Hugging Face folder) goes with pretrain.objective "checkpoint", and only with it`,
    );
  }
  if (checkpoint === undefined) return spec;
  const folder = path.resolve(path.dirname(file), checkpoint);
  if (!existsSync(path.join(folder, 'model.safetensors'))) {
    throw new MergebenchError(
      `--spec ${file}: pretrain.checkpoint ${checkpoint}: expected a folder with config.json and model.safetensors at ${folder}`,
    );
  }
  return { ...spec, pretrain: { ...spec.pretrain, checkpoint: folder } };
}

/**
 * A short stable hash of the spec, naming the zoo's cache folder. A pretrained checkpoint counts
 * by its content, not its path: the same weights give the same zoo wherever the checkout is.
 */
export function zooKey(spec: ZooSpec): string {
  const { checkpoint } = spec.pretrain;
  const keyed =
    checkpoint === undefined
      ? spec
      : {
          ...spec,
          pretrain: { ...spec.pretrain, checkpoint: fileSha256(path.join(checkpoint, 'model.safetensors')) },
        };
  return createHash('sha256').update(JSON.stringify(keyed)).digest('hex').slice(0, 12);
}

function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
