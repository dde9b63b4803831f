import { check, type HfConfig } from '@mergebench/core';
import { type FieldSpecs, readFields, withOverrides } from './fields.js';
import { towerSettings } from './tower-config.js';

/** The architecture of a CLIP vision tower, with the field names of Hugging Face's CLIPVisionConfig. */
export interface ClipVisionConfig {
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_channels: number;
  readonly image_size: number;
  readonly patch_size: number;
  /** `quick_gelu` (OpenAI's CLIP) or any activation core's activationByName knows. */
  readonly hidden_act: string;
  readonly layer_norm_eps: number;
  readonly projection_dim: number;
  /** Must be 0: dropout is not implemented. */
  readonly attention_dropout: number;
}

const VISION_MODEL_TYPE = 'clip_vision_model';

/** The fields and their defaults, as in transformers' CLIPVisionConfig (ViT-B/32). */
export const CLIP_VISION_FIELDS: FieldSpecs<ClipVisionConfig> = {
  hidden_size: { kind: 'positive-integer', default: 768 },
  intermediate_size: { kind: 'positive-integer', default: 3072 },
  num_hidden_layers: { kind: 'positive-integer', default: 12 },
  num_attention_heads: { kind: 'positive-integer', default: 12 },
  num_channels: { kind: 'positive-integer', default: 3 },
  image_size: { kind: 'positive-integer', default: 224 },
  patch_size: { kind: 'positive-integer', default: 32 },
  hidden_act: { kind: 'activation', default: 'quick_gelu' },
  layer_norm_eps: { kind: 'positive-number', default: 1e-5 },
  projection_dim: { kind: 'positive-integer', default: 512 },
  attention_dropout: { kind: 'zero', default: 0 },
};

/** A checked vision config: the given fields over the defaults. */
export function clipVisionConfig(
  fields: Readonly<Record<string, unknown>> = {},
  origin = 'CLIPVisionConfig',
): ClipVisionConfig {
  const config = readFields(fields, CLIP_VISION_FIELDS, origin);
  check(
    config.hidden_size % config.num_attention_heads === 0,
    () =>
      `${origin}: hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}`,
  );
  check(
    config.patch_size <= config.image_size,
    () => `${origin}: patch_size ${config.patch_size} is larger than image_size ${config.image_size}`,
  );
  return config;
}

/**
 * The vision config of a Hugging Face folder's config.json: a CLIPVisionModel(WithProjection)
 * config, or the `vision_config` of a CLIPModel; `overrides` replace fields (unknown ones are errors).
 */
export function visionConfigFromHf(
  hf: HfConfig,
  origin: string,
  overrides?: Readonly<Record<string, unknown>>,
): ClipVisionConfig {
  const settings = towerSettings(hf, VISION_MODEL_TYPE, 'vision_config', origin);
  return clipVisionConfig(withOverrides(settings, overrides, CLIP_VISION_FIELDS, origin), origin);
}

/** The config.json of a CLIPVisionModelWithProjection folder, readable by transformers. */
export function hfVisionConfig(config: ClipVisionConfig): HfConfig {
  return {
    architectures: ['CLIPVisionModelWithProjection'],
    model_type: VISION_MODEL_TYPE,
    ...config,
    torch_dtype: 'float32',
  };
}
