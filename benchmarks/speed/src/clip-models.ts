import { type ClipVisionConfig, clipVisionConfig } from '@mergebench/modelpool-clip-vit';

/** A CLIP vision tower the step benchmarks time, and its label in their tables. */
export interface ClipTower {
  readonly label: string;
  readonly config: ClipVisionConfig;
}

/** A small ViT that times in seconds on wasm, shared by the AdaMerging and WEMoE step benchmarks. */
export const SMALL_VIT: ClipTower = {
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
};
