import { gelu, LayerNorm, Linear, Module, MultiHeadAttention } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BlockWeightEnsemblingMoE } from './block-we-moe.js';
import { DenseEnsembledLinear } from './dense-ensembled-linear.js';
import { type JsonTensor, maxDifference, readFixture, tensorOf } from './fixtures.test.helpers.js';
import { LinearTaskVectors } from './linear-task-vectors.js';
import { Router } from './router.js';
import { WeightEnsemblingMoE } from './we-moe.js';

// Fixtures: tools/reference/wemoe_block_fixtures.py (a CLIP encoder layer with its attention,
// attention and MLP, or the whole layer upscaled; per-sample loop, torch autograd, float64).
const TOLERANCE = 1e-4;

interface BlockCase {
  readonly routers: Record<string, JsonTensor>;
  readonly out: JsonTensor;
  readonly grad_x: JsonTensor;
  readonly grads: Record<string, JsonTensor>;
}
interface BlockFixture {
  readonly config: { D: number; heads: number; hidden: number; T: number; eps: number };
  readonly x: JsonTensor;
  readonly R: JsonTensor;
  readonly pretrained: Record<string, JsonTensor>;
  readonly task_vectors: Record<string, JsonTensor>[];
  readonly cases: Record<'attention' | 'attention+mlp' | 'block', BlockCase>;
}
const fixture = readFixture<BlockFixture>('we-moe-blocks.json');
const { D, heads, hidden, T, eps } = fixture.config;

class Mlp extends Module {
  constructor() {
    super();
    this.registerModule('fc1', new Linear(D, hidden));
    this.registerModule('fc2', new Linear(hidden, D));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.getSubmodule('fc2').forward(gelu(this.getSubmodule('fc1').forward(x))));
  }
}

/** A pre-LayerNorm encoder layer with CLIP's names, reading its blocks from the tree on each call. */
class Layer extends Module {
  constructor() {
    super();
    this.registerModule('self_attn', new MultiHeadAttention(D, heads));
    this.registerModule('layer_norm1', new LayerNorm(D, { eps }));
    this.registerModule('mlp', new Mlp());
    this.registerModule('layer_norm2', new LayerNorm(D, { eps }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const [attn, ln1, mlp, ln2] = ['self_attn', 'layer_norm1', 'mlp', 'layer_norm2'].map((n) =>
      this.getSubmodule(n),
    );
    return tf.tidy(() => {
      const a = tf.add(x, attn.forward(ln1.forward(x)));
      return tf.add(a, mlp.forward(ln2.forward(a)));
    });
  }
}

function pretrainedLayer(): Layer {
  const layer = new Layer();
  const weights = new Map(Object.entries(fixture.pretrained).map(([k, t]) => [k, tensorOf(t)]));
  layer.loadStateDict(weights);
  tf.dispose([...weights.values()]);
  return layer;
}

/** The task vectors of the parameters under `prefix`, by their names relative to it. */
function taskVectorsUnder(prefix: string): Map<string, Float32Array[]> {
  const out = new Map<string, Float32Array[]>();
  for (const key of Object.keys(fixture.pretrained)) {
    if (prefix !== '' && !key.startsWith(`${prefix}.`)) continue;
    const name = prefix === '' ? key : key.slice(prefix.length + 1);
    out.set(
      name,
      fixture.task_vectors.map((tau) => Float32Array.from(tau[key].values)),
    );
  }
  return out;
}

function routerFrom(expected: BlockCase, prefix: string): Router {
  const router = new Router({ inputDim: D, experts: T, depth: 2, initLambda: 0, seed: 1 });
  const weights = new Map(
    Object.entries(expected.routers)
      .filter(([key]) => key.startsWith(`${prefix}.`))
      .map(([key, t]) => [key.slice(prefix.length + 1), tensorOf(t)]),
  );
  router.loadStateDict(weights);
  tf.dispose([...weights.values()]);
  return router;
}

function mlpMoe(layer: Layer, router: Router): WeightEnsemblingMoE {
  const values = (source: Record<string, JsonTensor>, fc: string) => ({
    weight: Float32Array.from(source[`mlp.${fc}.weight`].values),
    bias: Float32Array.from(source[`mlp.${fc}.bias`].values),
  });
  const linear = (fc: string, inF: number, outF: number) =>
    new DenseEnsembledLinear(
      new LinearTaskVectors(
        inF,
        outF,
        values(fixture.pretrained, fc),
        fixture.task_vectors.map((tau) => values(tau, fc)),
      ),
    );
  layer.getSubmodule('mlp').dispose();
  return new WeightEnsemblingMoE({
    router,
    fc1: linear('fc1', D, hidden),
    fc2: linear('fc2', hidden, D),
    activation: gelu,
  });
}

/** The fixture's layer with `target` upscaled; the module to run and its routers by fixture name. */
function upscaled(target: keyof BlockFixture['cases']): { model: Module; routers: Map<string, Router> } {
  const expected = fixture.cases[target];
  const layer = pretrainedLayer();
  if (target === 'block') {
    const router = routerFrom(expected, 'router');
    const moe = new BlockWeightEnsemblingMoE({ base: layer, taskVectors: taskVectorsUnder(''), router });
    return { model: moe, routers: new Map([['router', router]]) };
  }
  const attnRouter = routerFrom(expected, 'self_attn.router');
  const attention = layer.getSubmodule('self_attn');
  layer.setSubmodule(
    'self_attn',
    new BlockWeightEnsemblingMoE({
      base: attention,
      taskVectors: taskVectorsUnder('self_attn'),
      router: attnRouter,
    }),
  );
  const routers = new Map([['self_attn.router', attnRouter]]);
  if (target === 'attention+mlp') {
    const mlpRouter = routerFrom(expected, 'mlp.router');
    layer.setSubmodule('mlp', mlpMoe(layer, mlpRouter));
    routers.set('mlp.router', mlpRouter);
  }
  return { model: layer, routers };
}

describe('weight-ensembling MoE over attention and whole blocks matches the per-sample PyTorch layer', () => {
  it.each(['attention', 'attention+mlp', 'block'] as const)(
    '%s: outputs and gradients of sum(out·R)',
    (target) => {
      const expected = fixture.cases[target];
      const { model, routers } = upscaled(target);
      model.eval();
      const x = tensorOf(fixture.x);
      const R = tensorOf(fixture.R);
      const before = tf.memory().numTensors;

      const out = model.forward(x) as tf.Tensor;
      expect(maxDifference(out, expected.out)).toBeLessThanOrEqual(TOLERANCE);
      const variables = new Map<string, tf.Variable>();
      for (const router of routers.values())
        for (const v of router.namedParameters().values()) variables.set(v.name, v);
      const names = new Map<string, string>();
      for (const [prefix, router] of routers) {
        for (const [key, v] of router.namedParameters()) names.set(v.name, `${prefix}.${key}`);
      }
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.forward(x) as tf.Tensor, R)) as tf.Scalar,
        [...variables.values()],
      );
      expect(
        Object.keys(grads)
          .map((n) => names.get(n))
          .sort(),
      ).toEqual(Object.keys(expected.grads).sort());
      for (const [variable, grad] of Object.entries(grads)) {
        const key = names.get(variable)!;
        expect(maxDifference(grad, expected.grads[key]), key).toBeLessThanOrEqual(TOLERANCE);
      }
      const gradX = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.forward(input) as tf.Tensor, R)))(x);
      expect(maxDifference(gradX, expected.grad_x)).toBeLessThanOrEqual(TOLERANCE);

      tf.dispose([out, value, gradX, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, R]);
      model.dispose();
    },
  );
});
