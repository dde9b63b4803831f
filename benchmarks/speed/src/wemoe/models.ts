import { type ClipVisionConfig, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import { SMALL_VIT } from '../clip-models.js';

/** A model `pnpm bench:wemoe` times: a CLIP vision tower of some size, and how many steps to time. */
export interface BenchModel {
  readonly label: string;
  readonly config: ClipVisionConfig;
  /** Adaptation steps run and timed. */
  readonly steps: number;
  /** Unlabelled images per task in every step. */
  readonly batch: number;
}

export const BENCH_MODELS: Readonly<Record<string, BenchModel>> = {
  small: { ...SMALL_VIT, steps: 3, batch: 16 },
  // Minutes per step on wasm: one step only. The reference's batch of 16 does not fit in the wasm
  // backend's 4 GiB heap next to eight tasks' experts, nor does 8 (see the README): 4 per task.
  b32: { label: 'CLIP ViT-B/32 image tower', config: clipVisionConfig(), steps: 1, batch: 4 },
};

/** Tasks in every step, as in the reference setting. */
export const BENCH_TASKS = 8;
export const BENCH_CLASSES = 10;
/** Images per task of the per-sample strategy comparison, as in the reference setting. */
export const STRATEGY_BATCH = 16;
