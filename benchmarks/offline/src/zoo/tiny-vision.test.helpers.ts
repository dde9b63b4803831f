import { QUICK_ZOO_SPEC } from './zoo-spec.js';

/** A CLIP vision config of the zoo's shape at the smallest size, so test zoos build in seconds. */
export const TINY_VISION = {
  ...QUICK_ZOO_SPEC.vision,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  projection_dim: 8,
};
