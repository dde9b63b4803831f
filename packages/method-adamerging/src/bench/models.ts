import { type ClipVisionConfig, clipVisionConfig } from '@mergebench/modelpool-clip-vit';

/** A model `pnpm bench` times: a CLIP vision tower of some size, and how many steps to time. */
export interface BenchModel {
  readonly label: string;
  readonly config: ClipVisionConfig;
  /** Unlabelled images per task per step. */
  readonly batch: number;
  /** Steps run; the first warms up, the fastest of the rest is reported. */
  readonly steps: number;
}

export const BENCH_MODELS: Readonly<Record<string, BenchModel>> = {
  small: {
    label: 'small ViT (4 layers, width 128, 64 px / 16)',
    config: clipVisionConfig({
      hidden_size: 128,
      intermediate_size: 512,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      image_size: 64,
      patch_size: 16,
      projection_dim: 64,
    }),
    batch: 16,
    steps: 4,
  },
  // Batch 16 does not fit the wasm backend's 4 GiB heap: tfjs keeps every saved activation and
  // every intermediate gradient until the backward pass ends (about 0.25 GiB per image here, on
  // top of 1.4 GiB of weights, merged weights and their gradients). Slow: only two steps.
  b32: { label: 'CLIP ViT-B/32 image tower', config: clipVisionConfig(), batch: 4, steps: 2 },
};

/** Tasks per step, as in the reference setting (8 tasks), and classes of the random heads. */
export const BENCH_TASKS = 8;
export const BENCH_CLASSES = 10;
