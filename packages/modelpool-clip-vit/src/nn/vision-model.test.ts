import { findSites, Module, openCheckpoint } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipVisionModel } from '../checkpoint/vision-checkpoint.js';
import { clipVisionConfig } from '../config/vision-config.js';
import {
  expectedTensors,
  maxAbsDiff,
  TINY_CLIP,
  TINY_CLIP_VISION,
  TOLERANCE,
} from '../fixtures.test.helpers.js';
import { ClipVisionModelWithProjection } from './vision-model.js';

/** Stands in for a replaced MLP: counts its calls and contributes nothing. */
class ZeroBlock extends Module {
  calls = 0;
  forward(x: tf.Tensor): tf.Tensor {
    this.calls++;
    return tf.zerosLike(x);
  }
}

describe('ClipVisionModelWithProjection', () => {
  let model: ClipVisionModelWithProjection;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = await loadClipVisionModel(TINY_CLIP);
  });
  afterAll(() => model.dispose());

  it('matches PyTorch on a CLIPModel checkpoint (quick_gelu, saved position_ids)', async () => {
    const want = await expectedTensors();
    const out = model.encode(want.get('pixel_values')!);
    expect(maxAbsDiff(out.lastHiddenState, want.get('clip.last_hidden_state')!)).toBeLessThanOrEqual(
      TOLERANCE,
    );
    expect(maxAbsDiff(out.pooledOutput, want.get('clip.pooled_output')!)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(out.imageEmbeds, want.get('clip.image_embeds')!)).toBeLessThanOrEqual(TOLERANCE);
    const embeds = model.forward(want.get('pixel_values')!);
    expect(maxAbsDiff(embeds, out.imageEmbeds)).toBe(0);
    tf.dispose([out.lastHiddenState, out.pooledOutput, out.imageEmbeds, embeds]);
  });

  it('matches PyTorch on a CLIPVisionModelWithProjection checkpoint (gelu, eps 1e-6, no position_ids)', async () => {
    const want = await expectedTensors();
    const other = await loadClipVisionModel(TINY_CLIP_VISION);
    expect(other.config).toMatchObject({ hidden_act: 'gelu', layer_norm_eps: 1e-6, num_hidden_layers: 3 });
    const embeds = other.forward(want.get('pixel_values')!);
    expect(maxAbsDiff(embeds, want.get('vision.image_embeds')!)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose(embeds);
    other.dispose();
  });

  it('names its parameters as transformers does', async () => {
    const file = await openCheckpoint(TINY_CLIP);
    const hfVisionKeys = file
      .keys()
      .filter((key) => /^(vision_model|visual_projection)\./.test(key) && !key.endsWith('position_ids'));
    await file.close();
    expect([...model.stateDict().keys()].sort()).toEqual(hfVisionKeys.sort());
    expect(model.stateDict().has('vision_model.pre_layrnorm.weight')).toBe(true);
    expect(model.visualProjection.bias).toBeNull();
  });

  it('declares every layer, its self-attention and its MLP as sites', () => {
    expect(findSites(model, 'mlp').map((s) => s.path)).toEqual([
      'vision_model.encoder.layers.0.mlp',
      'vision_model.encoder.layers.1.mlp',
    ]);
    expect(findSites(model, 'attention').map((s) => [s.path, s.layer])).toEqual([
      ['vision_model.encoder.layers.0.self_attn', 0],
      ['vision_model.encoder.layers.1.self_attn', 1],
    ]);
    expect(findSites(model, 'layer').map((s) => s.path)).toEqual([
      'vision_model.encoder.layers.0',
      'vision_model.encoder.layers.1',
    ]);
  });

  it('runs a block put in place of an MLP', async () => {
    const pixels = (await expectedTensors()).get('pixel_values')!;
    const fresh = await loadClipVisionModel(TINY_CLIP);
    const before = fresh.forward(pixels);
    const replacement = new ZeroBlock();
    const old = fresh.setSubmodule('vision_model.encoder.layers.1.mlp', replacement);
    const after = fresh.forward(pixels);
    expect(replacement.calls).toBe(1);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    tf.dispose([before, after]);
    old.dispose();
    fresh.dispose();
  });

  it('has a gradient for every parameter (test-time adaptation trains through it)', async () => {
    const pixels = (await expectedTensors()).get('pixel_values')!;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.forward(pixels))) as tf.Scalar,
      model.trainableVariables(),
    );
    const names = new Map([...model.namedParameters()].map(([name, variable]) => [variable.name, name]));
    const flat = Object.entries(grads).filter(
      ([, grad]) => tf.tidy(() => tf.max(tf.abs(grad)).dataSync()[0]) === 0,
    );
    expect(Object.keys(grads)).toHaveLength(model.trainableVariables().length);
    expect(flat.map(([id]) => names.get(id))).toEqual([]);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('rejects pixel values of the wrong size', () => {
    expect(() => model.forward(tf.zeros([1, 3, 16, 16]))).toThrow(
      'CLIP vision model: expected pixel values [B, 3, 32, 32], got [1,3,16,16]',
    );
  });

  it('builds a randomly initialised model from a config and leaks no tensors per forward', () => {
    const config = clipVisionConfig({
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      image_size: 8,
      patch_size: 4,
      projection_dim: 4,
    });
    const tiny = new ClipVisionModelWithProjection(config);
    const pixels = tf.ones([2, 3, 8, 8]);
    const before = tf.memory().numTensors;
    const out = tiny.forward(pixels);
    expect(out.shape).toEqual([2, 4]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(pixels);
    tiny.dispose();
  });

  it('initialises reproducibly from a seed: every tensor the same for the same seed, none shared by two', () => {
    const config = clipVisionConfig({
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      image_size: 8,
      patch_size: 4,
      projection_dim: 4,
    });
    const [a, b, c] = [7, 7, 8].map((seed) => new ClipVisionModelWithProjection(config, { seed }));
    const values = (m: Module) => new Map([...m.stateDict()].map(([k, v]) => [k, Array.from(v.dataSync())]));
    const [va, vb, vc] = [a, b, c].map(values);
    // Layer norms start at ones and zeros; every other tensor is drawn.
    const drawn = [...va.keys()].filter((key) => !/norm/.test(key));
    expect(drawn.length).toBeGreaterThan(10);
    for (const key of va.keys()) expect(vb.get(key), key).toEqual(va.get(key));
    for (const key of drawn) expect(vc.get(key), key).not.toEqual(va.get(key));
    // Two layers' tensors of the same name are drawn from different streams.
    const first = va.get('vision_model.encoder.layers.0.mlp.fc1.weight');
    expect(va.get('vision_model.encoder.layers.1.mlp.fc1.weight')).not.toEqual(first);
    for (const m of [a, b, c]) m.dispose();
  });
});
