import { check, type HfConfig } from '@mergebench/core';
import { type FieldSpecs, readFields, withOverrides } from './fields.js';
import { towerSettings } from './tower-config.js';

/** The architecture of a CLIP text tower, with the field names of Hugging Face's CLIPTextConfig. */
export interface ClipTextConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly max_position_embeddings: number;
  readonly hidden_act: string;
  readonly layer_norm_eps: number;
  readonly projection_dim: number;
  readonly attention_dropout: number;
  readonly pad_token_id: number;
  readonly bos_token_id: number;
  /**
   * The end-of-text id the output is pooled at. 2 marks configs saved before transformers fixed
   * it (OpenAI's own): those pool at the largest id of each row, which is <|endoftext|>'s.
   */
  readonly eos_token_id: number;
}

const TEXT_MODEL_TYPE = 'clip_text_model';

/** The fields and their defaults, as in transformers' CLIPTextConfig. */
export const CLIP_TEXT_FIELDS: FieldSpecs<ClipTextConfig> = {
  vocab_size: { kind: 'positive-integer', default: 49408 },
  hidden_size: { kind: 'positive-integer', default: 512 },
  intermediate_size: { kind: 'positive-integer', default: 2048 },
  num_hidden_layers: { kind: 'positive-integer', default: 12 },
  num_attention_heads: { kind: 'positive-integer', default: 8 },
  max_position_embeddings: { kind: 'positive-integer', default: 77 },
  hidden_act: { kind: 'activation', default: 'quick_gelu' },
  layer_norm_eps: { kind: 'positive-number', default: 1e-5 },
  projection_dim: { kind: 'positive-integer', default: 512 },
  attention_dropout: { kind: 'zero', default: 0 },
  pad_token_id: { kind: 'integer', default: 1 },
  bos_token_id: { kind: 'integer', default: 49406 },
  eos_token_id: { kind: 'integer', default: 49407 },
};

/** A checked text config: the given fields over the defaults. */
export function clipTextConfig(
  fields: Readonly<Record<string, unknown>> = {},
  origin = 'CLIPTextConfig',
): ClipTextConfig {
  const config = readFields(fields, CLIP_TEXT_FIELDS, origin);
  check(
    config.hidden_size % config.num_attention_heads === 0,
    () =>
      `${origin}: hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}`,
  );
  return config;
}

/** The text config of a CLIPTextModel(WithProjection) config.json or of a CLIPModel's `text_config`. */
export function textConfigFromHf(
  hf: HfConfig,
  origin: string,
  overrides?: Readonly<Record<string, unknown>>,
): ClipTextConfig {
  const settings = towerSettings(hf, TEXT_MODEL_TYPE, 'text_config', origin);
  return clipTextConfig(withOverrides(settings, overrides, CLIP_TEXT_FIELDS, origin), origin);
}
