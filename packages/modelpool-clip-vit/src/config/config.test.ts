import { describe, expect, it } from 'vitest';
import { clipTextConfig, textConfigFromHf } from './text-config.js';
import { clipVisionConfig, hfVisionConfig, visionConfigFromHf } from './vision-config.js';

describe('CLIP configs', () => {
  it('default to ViT-B/32 and its text tower, as transformers does', () => {
    expect(clipVisionConfig()).toMatchObject({
      hidden_size: 768,
      num_hidden_layers: 12,
      patch_size: 32,
      image_size: 224,
    });
    expect(clipTextConfig()).toMatchObject({ vocab_size: 49408, hidden_size: 512, eos_token_id: 49407 });
  });

  it('read a CLIPModel config: the nested tower config with the top-level projection_dim', () => {
    const hf = {
      model_type: 'clip',
      projection_dim: 768,
      vision_config: { patch_size: 14, hidden_size: 1024, num_attention_heads: 16 },
      text_config: {},
    };
    expect(visionConfigFromHf(hf, 'config.json')).toMatchObject({
      patch_size: 14,
      hidden_size: 1024,
      projection_dim: 768,
    });
    expect(textConfigFromHf(hf, 'config.json').projection_dim).toBe(768);
  });

  it('write a config.json that reads back to the same config', () => {
    const config = clipVisionConfig({ hidden_act: 'gelu', image_size: 336, patch_size: 14 });
    expect(visionConfigFromHf(hfVisionConfig(config), 'saved')).toEqual(config);
  });

  it('reject values that make no model, naming the field', () => {
    expect(() => clipVisionConfig({ hidden_size: 30, num_attention_heads: 4 })).toThrow(
      'CLIPVisionConfig: hidden_size 30 is not divisible by num_attention_heads 4',
    );
    expect(() => clipVisionConfig({ patch_size: 16.5 })).toThrow(
      'patch_size is 16.5, expected a positive integer',
    );
    expect(() => clipVisionConfig({ image_size: [224, 224] })).toThrow(
      'image_size is [224,224], expected a positive integer',
    );
    expect(() => clipTextConfig({ layer_norm_eps: -1 }, 'text')).toThrow(
      'text: layer_norm_eps is -1, expected a positive number',
    );
    expect(() => visionConfigFromHf({ vision_config: {} }, 'c.json')).toThrow(
      'c.json: model_type is undefined',
    );
  });
});
