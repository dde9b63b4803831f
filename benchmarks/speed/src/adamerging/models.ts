import { type ClipVisionConfig, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import { SMALL_VIT } from '../clip-models.js';

/** A model `pnpm bench:adamerging` times: a CLIP vision tower of some size, and how many steps to time. */
export interface BenchModel {
  readonly label: string;
  readonly config: ClipVisionConfig;
  /** Unlabelled images per task per step. */
  readonly batch: number;
  /** Steps run; the first warms up, the fastest of the rest is reported. */
  readonly steps: number;
  /** Images per forward and backward pass, when a task's batch is split (runAdaptation's microBatchSize). */
  readonly microBatch?: number;
}

export const BENCH_MODELS: Readonly<Record<string, BenchModel>> = {
  // The offline benchmark's zoo model (benchmarks/offline, DEFAULT_ZOO_SPEC).
  offline: {
    label: 'offline zoo ViT (4 layers, width 64, 32 px / 8)',
    config: clipVisionConfig({
      hidden_size: 64,
      intermediate_size: 256,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      image_size: 32,
      patch_size: 8,
      projection_dim: 64,
      hidden_act: 'quick_gelu',
    }),
    batch: 16,
    steps: 5,
  },
  small: { ...SMALL_VIT, batch: 16, steps: 4 },
  // tfjs keeps a pass's activations and intermediate gradients until its backward pass ends, about
  // 0.3 GB per B/32 image: a batch of 16 runs as four passes of 4 (the same gradient), which fits
  // the wasm backend's 4 GiB heap too.
  b32: { label: 'CLIP ViT-B/32 image tower', config: clipVisionConfig(), batch: 16, steps: 2, microBatch: 4 },
};

/** The backend the bench measures: MERGEBENCH_BACKEND, else wasm. */
export const BENCH_BACKEND = process.env.MERGEBENCH_BACKEND ?? 'wasm';

/** Tasks per step, as in the reference setting (8 tasks), and classes of the random heads. */
export const BENCH_TASKS = 8;
export const BENCH_CLASSES = 10;
