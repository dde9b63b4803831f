import { findSites, LayerNorm, Linear, MergebenchError, Module, PRETRAINED } from '@mergebench/core';
import { ToyModelPool } from '@mergebench/core/testing';
import { clipVisionConfig, RandomClipPool } from '@mergebench/modelpool-clip-vit';
import type { RouterDepth } from '@mergebench/moe';
import { denseMoeDesign, mlpShape, upscaleModel, WeightEnsemblingMoE } from '@mergebench/moe';
import { mergePoolTaskVectors, taskArithmeticRules } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { features, maxAbsDifference, toyInputs } from './run.test.helpers.js';

async function upscaled(
  depth: RouterDepth,
  options: { batchReduce?: boolean; pool?: ToyModelPool | RandomClipPool } = {},
) {
  const pool = options.pool ?? (await ToyModelPool.create());
  return upscaleModel(pool, {
    design: denseMoeDesign({ experts: pool.modelNames.length, depth, initLambda: 0.3, seed: 11 }),
    initLambda: 0.3,
    activation: 'auto',
    batchReduce: options.batchReduce ?? false,
    seed: 1,
    what: 'test',
  });
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('upscaling a model pool', () => {
  it('replaces every MLP by a WE-MoE block holding θ₀ and the task vectors; the rest is task arithmetic', async () => {
    const pool = await ToyModelPool.create();
    const [theta0, ...thetas] = await Promise.all(
      [PRETRAINED, ...pool.modelNames].map((n) => pool.loadModel(n)),
    );
    const { model, summary } = await upscaled(2);
    const sites = findSites(theta0, 'mlp');
    expect(summary.sites).toEqual(sites.map((s) => s.path));
    expect(summary.activations).toEqual(['gelu', 'gelu']);

    const upscaledParams = model.namedParameters();
    for (const [key, p0] of theta0.namedParameters()) {
      if (sites.some((s) => key.startsWith(`${s.path}.`))) continue;
      const expected = tf.tidy(() =>
        tf.add(p0, tf.mul(tf.addN(thetas.map((m) => tf.sub(m.namedParameters().get(key)!, p0))), 0.3)),
      );
      expect(maxAbsDifference(values(upscaledParams.get(key)!), values(expected)), key).toBeLessThan(1e-6);
      expected.dispose();
    }
    for (const site of sites) {
      const moe = model.getSubmodule(site.path);
      expect(moe).toBeInstanceOf(WeightEnsemblingMoE);
      for (const fc of ['fc1', 'fc2']) {
        const params = moe.namedParameters();
        const biases = tf.unstack(params.get(`${fc}.bias`)!);
        const w0 = theta0.namedParameters().get(`${site.path}.${fc}.weight`)!;
        const b0 = theta0.namedParameters().get(`${site.path}.${fc}.bias`)!;
        expect(values(params.get(`${fc}.pretrained_weight`)!)).toEqual(values(w0));
        expect(values(biases[0])).toEqual(values(b0));
        thetas.forEach((m, i) => {
          const tau = tf.tidy(() => tf.sub(m.namedParameters().get(`${site.path}.${fc}.weight`)!, w0));
          expect(values(params.get(`${fc}.task_weight_${i}`)!)).toEqual(values(tau));
          tau.dispose();
        });
        tf.dispose(biases);
      }
    }

    // Frozen experts count as parameters, only the routers are trainable.
    const mlpParams = sites.reduce((n, s) => n + theta0.getSubmodule(s.path).countParameters(), 0);
    const hidden = 16;
    const tasks = pool.modelNames.length;
    const routerParams = hidden * hidden + hidden + tasks * hidden + tasks;
    expect(model.countParameters({ trainableOnly: true })).toBe(sites.length * routerParams);
    expect(model.countParameters()).toBe(
      theta0.countParameters() + tasks * mlpParams + sites.length * routerParams,
    );
    expect(summary.expertBytes).toBe(4 * (tasks + 1) * mlpParams);
    for (const m of [theta0, ...thetas, model]) m.dispose();
  });

  it('initialises the routers as the reference: N(0, 0.01²) weights, zero biases, the last one init_lambda', async () => {
    const { model } = await upscaled(2);
    const router = (model.getSubmodule('layers.0.mlp') as WeightEnsemblingMoE).router;
    const params = router.namedParameters();
    expect(values(params.get('fc2.bias')!).every((v) => Math.abs(v - 0.3) < 1e-7)).toBe(true);
    expect(values(params.get('fc1.bias')!).every((v) => v === 0)).toBe(true);
    const weights = values(params.get('fc1.weight')!);
    const std = Math.sqrt(weights.reduce((s, v) => s + v * v, 0) / weights.length);
    expect(std).toBeGreaterThan(0.008);
    expect(std).toBeLessThan(0.012);
    model.dispose();
  });

  it('with a depth-0 router at init_lambda computes exactly task arithmetic', async () => {
    const pool = await ToyModelPool.create();
    const { model } = await upscaled(0, { pool });
    const { model: merged } = await mergePoolTaskVectors(pool, taskArithmeticRules(0.3), { what: 'test' });
    const inputs = toyInputs();
    expect(maxAbsDifference(features(model.eval(), inputs), features(merged, inputs))).toBeLessThan(1e-5);
    tf.dispose([inputs]);
    model.dispose();
    merged.dispose();
  });

  it('routes each sample on its own in evaluation; batch_reduce changes training only', async () => {
    const { model } = await upscaled(2, { batchReduce: true });
    // Larger router weights, so that samples are routed visibly differently.
    for (const v of model.trainableVariables()) tf.tidy(() => v.assign(tf.mul(v, 40)));
    const inputs = toyInputs();
    const batch = features(model.eval(), inputs);
    const oneByOne = tf.unstack(inputs).flatMap((x) => {
      const single = tf.expandDims(x, 0);
      const out = features(model, single);
      single.dispose();
      x.dispose();
      return out;
    });
    expect(maxAbsDifference(batch, oneByOne)).toBeLessThan(1e-5);
    const training = features(model.train(), inputs);
    expect(maxAbsDifference(training, batch)).toBeGreaterThan(1e-4);
    inputs.dispose();
    model.dispose();
  });

  it('works on a CLIP vision tower, whose MLPs name their activation', async () => {
    const config = clipVisionConfig({
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      image_size: 32,
      patch_size: 16,
      projection_dim: 16,
    });
    const pool = new RandomClipPool(config, 3);
    const { model, summary } = await upscaled(0, { pool });
    expect(summary.sites).toEqual(['vision_model.encoder.layers.0.mlp', 'vision_model.encoder.layers.1.mlp']);
    expect(summary.activations).toEqual(['quick_gelu', 'quick_gelu']);
    const { model: merged } = await mergePoolTaskVectors(pool, taskArithmeticRules(0.3), { what: 'test' });
    const images = tf.randomNormal([2, 3, 32, 32], 0, 1, 'float32', 4);
    expect(maxAbsDifference(features(model.eval(), images), features(merged.eval(), images))).toBeLessThan(
      1e-5,
    );
    images.dispose();
    model.dispose();
    merged.dispose();
  });

  it('refuses an activation that does not reproduce the MLP, naming the site', async () => {
    const pool = await ToyModelPool.create();
    const attempt = upscaleModel(pool, {
      design: denseMoeDesign({ experts: 3, depth: 2, initLambda: 0.3, seed: 1 }),
      initLambda: 0.3,
      activation: 'relu',
      batchReduce: false,
      seed: 1,
      what: 'test',
    });
    await expect(attempt).rejects.toThrow(MergebenchError);
    await expect(attempt).rejects.toThrow(/MLP site 'layers\.0\.mlp' is not fc2\(relu\(fc1\(x\)\)\)/);
  });

  it('refuses an MLP with parameters besides fc1 and fc2', () => {
    class NormedMlp extends Module {
      constructor() {
        super();
        this.registerModule('fc1', new Linear(4, 8));
        this.registerModule('norm', new LayerNorm(8));
        this.registerModule('fc2', new Linear(8, 4));
      }
      forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const mlp = new NormedMlp();
    expect(() => mlpShape(mlp, 'blocks.0.mlp')).toThrow(
      "MLP site 'blocks.0.mlp' has parameters other than fc1/fc2 (norm.weight, norm.bias): it cannot be upscaled",
    );
    mlp.dispose();
  });
});
