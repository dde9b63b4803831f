import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createRunContainer,
  MergebenchError,
  Module,
  memoryLogger,
  PRETRAINED,
  provide,
  readStateDict,
  saveHfFolder,
  TOKENS,
  type WritableTensor,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipVisionModel } from '../checkpoint/vision-checkpoint.js';
import {
  expectedTensors,
  maxAbsDiff,
  TINY_CLIP,
  TINY_CLIP_VISION,
  tempDir,
} from '../fixtures.test.helpers.js';
import type { ClipVisionModelWithProjection } from '../nn/vision-model.js';
import { clipVitModelPool } from './clip-vit-component.js';
import { ClipVitModelPool } from './clip-vit-model-pool.js';

class Passthrough extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x.clone();
  }
}

const VISION_FIELDS = {
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_channels: 3,
  image_size: 32,
  patch_size: 8,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
  projection_dim: 16,
};

/** Writes a CLIPVisionModel-style folder: the given config fields and tensors. */
async function writeVisionFolder(
  dir: string,
  tensors: Map<string, WritableTensor>,
  config: Record<string, unknown> = {},
) {
  await saveHfFolder(dir, {
    config: {
      architectures: ['CLIPVisionModel'],
      model_type: 'clip_vision_model',
      ...VISION_FIELDS,
      ...config,
    },
    tensors,
  });
}

describe('ClipVitModelPool', () => {
  let root: { dir: string; remove: () => Promise<void> };
  let pretrained: ClipVisionModelWithProjection;
  let finetuned: ClipVisionModelWithProjection;
  let pixels: tf.Tensor;
  /** The fine-tuned weights without visual_projection, as on the Hub. */
  let noProjection: Map<string, tf.Tensor>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = await tempDir();
    pixels = (await expectedTensors()).get('pixel_values')!;
    pretrained = await loadClipVisionModel(TINY_CLIP);
    finetuned = await loadClipVisionModel(TINY_CLIP);
    tf.tidy(() => {
      for (const [key, variable] of finetuned.stateDict()) {
        if (key !== 'visual_projection.weight') (variable as tf.Variable).assign(tf.add(variable, 0.01));
      }
    });
    noProjection = new Map([...finetuned.stateDict()].filter(([key]) => key !== 'visual_projection.weight'));
    await writeVisionFolder(join(root.dir, 'task-b'), noProjection);
    const pool = await ClipVitModelPool.open({ models: { [PRETRAINED]: TINY_CLIP } });
    await pool.saveModel(finetuned, join(root.dir, 'task-a'));
  });
  afterAll(async () => {
    pretrained.dispose();
    finetuned.dispose();
    await root.remove();
  });

  const openPool = () =>
    ClipVitModelPool.open({
      models: { [PRETRAINED]: TINY_CLIP, a: 'task-a', b: 'task-b' },
      baseDir: root.dir,
    });

  it('lists the fine-tuned models and serves every model with the same keys', async () => {
    const pool = await openPool();
    expect(pool.modelNames).toEqual(['a', 'b']);
    expect(pool.hasPretrained).toBe(true);
    const keys: string[][] = [];
    for (const name of [PRETRAINED, 'a', 'b']) {
      const source = await pool.openWeights(name);
      keys.push(source.keys().sort());
      await source.close();
    }
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    expect(keys[0]).toEqual([...pretrained.stateDict().keys()].sort());
    expect(keys[0]).not.toContain('vision_model.embeddings.position_ids');
    expect(keys[0].some((key) => key.startsWith('text_model.'))).toBe(false);
  });

  it('loads models that compute what the saved ones did; a CLIPVisionModel borrows the pretrained projection', async () => {
    const pool = await openPool();
    const reference = finetuned.forward(pixels);
    for (const name of ['a', 'b']) {
      const model = (await pool.loadModel(name)) as ClipVisionModelWithProjection;
      const out = model.forward(pixels);
      expect(maxAbsDiff(out, reference)).toBe(0);
      tf.dispose(out);
      model.dispose();
    }
    const source = await pool.openWeights('b');
    const [projection] = [...(await readStateDict(source, ['visual_projection.weight'])).values()];
    await source.close();
    expect(maxAbsDiff(projection, pretrained.visualProjection.weight)).toBe(0);
    tf.dispose([reference, projection]);
  });

  it('saves a Hugging Face CLIPVisionModelWithProjection folder that loads back', async () => {
    const config = JSON.parse(await readFile(join(root.dir, 'task-a', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['CLIPVisionModelWithProjection'],
      model_type: 'clip_vision_model',
      ...VISION_FIELDS,
    });
    const reloaded = await loadClipVisionModel(join(root.dir, 'task-a'));
    expect([...reloaded.stateDict().keys()]).toEqual([...finetuned.stateDict().keys()]);
    reloaded.dispose();
  });

  it('refuses to save a model whose blocks were replaced, or another module', async () => {
    const pool = await openPool();
    const model = await pool.loadModel('a');
    const old = model.setSubmodule('vision_model.encoder.layers.0.mlp', new Passthrough());
    await expect(pool.saveModel(model, join(root.dir, 'upscaled'))).rejects.toThrow(
      'vision_model.encoder.layers.0.mlp is a Passthrough, not a plain CLIP block',
    );
    await expect(pool.saveModel(new Passthrough(), join(root.dir, 'other'))).rejects.toThrow(
      'cannot save a Passthrough',
    );
    old.dispose();
    model.dispose();
  });

  it('names an unknown model', async () => {
    const pool = await openPool();
    await expect(pool.loadModel('c')).rejects.toThrow("no model 'c' (models: _pretrained_, a, b)");
  });

  it('is created from a config by the clip-vit component, paths relative to the config folder', async () => {
    const container = createRunContainer();
    const logger = memoryLogger();
    provide(container, TOKENS.logger, logger);
    const pool = await clipVitModelPool.create({
      params: { models: { [PRETRAINED]: TINY_CLIP, a: './task-a' }, config: null },
      container,
      baseDir: root.dir,
    });
    expect(pool.modelNames).toEqual(['a']);
    expect(logger.lines.find((line) => line.includes('_pretrained_'))).toMatch(
      /reading the vision tower of .*tiny-clip; left aside: text tower \(\d+ tensors\), logit_scale, saved position_ids/,
    );
  });

  describe('rejects with one line naming the problem', () => {
    const rejects = async (
      models: Record<string, unknown>,
      message: string | RegExp,
      config?: Record<string, unknown>,
    ) => {
      const opened = ClipVitModelPool.open({ models, baseDir: root.dir, config });
      await expect(opened).rejects.toThrow(MergebenchError);
      await expect(opened).rejects.toThrow(message);
    };

    it('a missing folder', () =>
      rejects({ a: 'nowhere' }, `${join(root.dir, 'nowhere')}: no such model folder`));

    it('a folder without config.json', async () => {
      await mkdir(join(root.dir, 'empty'), { recursive: true });
      await rejects({ a: 'empty' }, `${join(root.dir, 'empty', 'config.json')}: missing`);
    });

    it('a folder without weights', async () => {
      await mkdir(join(root.dir, 'config-only'), { recursive: true });
      await writeFile(
        join(root.dir, 'config-only', 'config.json'),
        JSON.stringify({ model_type: 'clip_vision_model' }),
      );
      await rejects(
        { a: 'config-only' },
        'no model.safetensors or model.safetensors.index.json in this folder',
      );
    });

    it('an unsupported activation', async () => {
      await writeVisionFolder(join(root.dir, 'swish'), noProjection, { hidden_act: 'swish' });
      await rejects(
        { [PRETRAINED]: TINY_CLIP, a: 'swish' },
        /config\.json: hidden_act: unknown activation 'swish': expected one of gelu, quick_gelu/,
      );
    });

    it('a config of another model type, unknown overrides and unsupported settings', async () => {
      await writeVisionFolder(join(root.dir, 'siglip'), noProjection, { model_type: 'siglip_vision_model' });
      await rejects(
        { a: 'siglip' },
        'model_type is "siglip_vision_model", expected "clip_vision_model" or "clip"',
      );
      await rejects({ a: TINY_CLIP }, 'cannot override hidden_layers: expected fields among hidden_size', {
        hidden_layers: 2,
      });
      await rejects({ a: TINY_CLIP }, 'attention_dropout is 0.1, expected 0 (dropout is not supported)', {
        attention_dropout: 0.1,
      });
    });

    it('models of different architectures or layouts, naming the model', async () => {
      await rejects({ [PRETRAINED]: TINY_CLIP, a: TINY_CLIP_VISION }, "model 'a' (");
      const lacking = new Map(noProjection);
      lacking.delete('vision_model.post_layernorm.bias');
      await writeVisionFolder(join(root.dir, 'lacking'), lacking);
      await rejects(
        { [PRETRAINED]: TINY_CLIP, a: 'task-a', b: 'lacking' },
        "model 'b' does not have the keys of '_pretrained_': missing keys vision_model.post_layernorm.bias",
      );
    });

    it('a CLIPVisionModel without a pretrained CLIP model to take the projection from', () =>
      rejects({ b: 'task-b' }, "model 'b' ("));
  });

  describe('strict loading lists the first few bad keys', () => {
    it('missing keys', async () => {
      const fewer = new Map([...noProjection].filter(([key]) => !key.includes('layers.1.')));
      fewer.set('visual_projection.weight', pretrained.visualProjection.weight);
      await writeVisionFolder(join(root.dir, 'missing'), fewer);
      await expect(loadClipVisionModel(join(root.dir, 'missing'))).rejects.toThrow(
        /missing: loadStateDict: 16 missing keys \(vision_model\.encoder\.layers\.1\.self_attn\.q_proj\.weight, .*, … \(11 more\)\)/,
      );
    });

    it('unexpected keys', async () => {
      const more = new Map(noProjection);
      more.set('visual_projection.weight', pretrained.visualProjection.weight);
      more.set('vision_model.extra.weight', tf.zeros([2]));
      await writeVisionFolder(join(root.dir, 'unexpected'), more);
      await expect(loadClipVisionModel(join(root.dir, 'unexpected'))).rejects.toThrow(
        'loadStateDict: 1 unexpected key (vision_model.extra.weight)',
      );
    });

    it('wrong shapes', async () => {
      await writeVisionFolder(join(root.dir, 'narrow'), noProjection, { intermediate_size: 48 });
      await expect(
        loadClipVisionModel(join(root.dir, 'narrow'), { projectionFrom: TINY_CLIP }),
      ).rejects.toThrow(
        /shape mismatch for vision_model\.encoder\.layers\.0\.mlp\.fc1\.weight: expected \[48,32\], got \[64,32\]; .*more\)/,
      );
    });

    it('a CLIPVisionModel loaded without projectionFrom', async () => {
      await expect(loadClipVisionModel(join(root.dir, 'task-b'))).rejects.toThrow(
        'has no visual_projection.weight (a CLIPVisionModel checkpoint)',
      );
    });
  });
});
