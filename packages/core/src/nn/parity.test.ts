import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StateDict } from '../tensors/types.js';
import { activationByName, quickGelu } from './activations.js';
import { Conv2d } from './conv2d.js';
import { Embedding } from './embedding.js';
import { causalAttentionMask } from './functional/causal-mask.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { MultiHeadAttention } from './multi-head-attention.js';

// Fixtures written by tools/reference/nn_fixtures.py from PyTorch modules.
interface EncodedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}

interface ModuleCase {
  config: Record<string, number | boolean>;
  weights: Record<string, EncodedTensor>;
  input: EncodedTensor;
  mask?: EncodedTensor;
  upstream: EncodedTensor;
  output: EncodedTensor;
  grads: Record<string, EncodedTensor>;
  input_grad?: EncodedTensor;
}

interface ActivationCases {
  input: EncodedTensor;
  cases: Record<string, { upstream: EncodedTensor; output: EncodedTensor; input_grad: EncodedTensor }>;
}

const OUTPUT_TOLERANCE = 1e-5;
const GRAD_TOLERANCE = 1e-4;

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/nn/${name}.json`, import.meta.url), 'utf8')) as T;
}

function decode(encoded: EncodedTensor): tf.Tensor {
  return tf.tensor(encoded.data, encoded.shape, encoded.dtype);
}

function expectClose(actual: tf.Tensor, expected: EncodedTensor, tolerance: number, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const values = actual.dataSync();
  let worst = 0;
  expected.data.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(values[i] - Math.fround(v)));
  });
  expect(worst, `${what}: max abs difference`).toBeLessThanOrEqual(tolerance);
}

/** Loads the fixture's weights, then checks output, parameter gradients and input gradient. */
function checkParity(module: Module, fixture: ModuleCase, run: (x: tf.Tensor) => tf.Tensor): void {
  const weights: StateDict = new Map(Object.entries(fixture.weights).map(([k, v]) => [k, decode(v)]));
  module.loadStateDict(weights);
  tf.dispose([...weights.values()]);

  const x = decode(fixture.input);
  const upstream = decode(fixture.upstream);
  const objective = (input: tf.Tensor) => tf.sum(tf.mul(run(input), upstream)) as tf.Scalar;

  const output = run(x);
  expectClose(output, fixture.output, OUTPUT_TOLERANCE, 'output');

  const { value, grads } = tf.variableGrads(() => objective(x), module.trainableVariables());
  const nameOf = new Map([...module.namedParameters()].map(([name, v]) => [v.name, name]));
  const gradsByName = new Map(Object.entries(grads).map(([varName, g]) => [nameOf.get(varName)!, g]));
  expect([...gradsByName.keys()].sort()).toEqual(Object.keys(fixture.grads).sort());
  for (const [name, expected] of Object.entries(fixture.grads)) {
    expectClose(gradsByName.get(name)!, expected, GRAD_TOLERANCE, `grad of ${name}`);
  }

  if (fixture.input_grad) {
    const inputGrad = tf.grad(objective)(x);
    expectClose(inputGrad, fixture.input_grad, GRAD_TOLERANCE, 'input grad');
    inputGrad.dispose();
  }
  tf.dispose([x, upstream, output, value, ...Object.values(grads)]);
  module.dispose();
}

class ReferenceMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(dim: number, hidden: number) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(dim, hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, dim));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(quickGelu(this.fc1.forward(x))));
  }
}

/** The pre-LN block of the fixture, with Hugging Face CLIPEncoderLayer names. */
class ReferenceEncoderLayer extends Module {
  readonly layerNorm1: LayerNorm;
  readonly selfAttn: MultiHeadAttention;
  readonly layerNorm2: LayerNorm;
  readonly mlp: Module;

  constructor(dim: number, heads: number, hidden: number) {
    super();
    this.layerNorm1 = this.registerModule('layer_norm1', new LayerNorm(dim));
    this.selfAttn = this.registerModule('self_attn', new MultiHeadAttention(dim, heads));
    this.layerNorm2 = this.registerModule('layer_norm2', new LayerNorm(dim));
    this.mlp = this.registerModule('mlp', new ReferenceMlp(dim, hidden));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.add(x, this.selfAttn.forward(this.layerNorm1.forward(x)));
      return tf.add(h, this.mlp.forward(this.layerNorm2.forward(h)));
    });
  }
}

describe('parity with PyTorch', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    // Every case disposes what it made; a leak in a layer shows up here.
    expect(tf.memory().numTensors).toBe(0);
  });

  it('Linear on a rank-3 input', () => {
    const fixture = readFixture<ModuleCase>('linear');
    const linear = new Linear(12, 8);
    checkParity(linear, fixture, (x) => linear.forward(x));
  });

  it('Linear without bias on a rank-2 input', () => {
    const fixture = readFixture<ModuleCase>('linear_no_bias');
    const linear = new Linear(6, 4, { bias: false });
    expect([...linear.namedParameters().keys()]).toEqual(['weight']);
    checkParity(linear, fixture, (x) => linear.forward(x));
  });

  it('LayerNorm', () => {
    const fixture = readFixture<ModuleCase>('layer_norm');
    const norm = new LayerNorm(8, { eps: 1e-5 });
    checkParity(norm, fixture, (x) => norm.forward(x));
  });

  it('Embedding', () => {
    const fixture = readFixture<ModuleCase>('embedding');
    const embedding = new Embedding(10, 8);
    checkParity(embedding, fixture, (ids) => embedding.forward(ids));
  });

  it('Conv2d patch embedding, dropping pixels that fill no patch', () => {
    const fixture = readFixture<ModuleCase>('conv2d_patch');
    const conv = new Conv2d(3, 8, 4);
    checkParity(conv, fixture, (x) => conv.forward(x));
  });

  it('MultiHeadAttention', () => {
    const fixture = readFixture<ModuleCase>('attention');
    const attention = new MultiHeadAttention(16, 4);
    checkParity(attention, fixture, (x) => attention.forward(x));
  });

  it('MultiHeadAttention with a causal mask', () => {
    const fixture = readFixture<ModuleCase>('attention_causal');
    const mask = causalAttentionMask(5);
    expectClose(mask, fixture.mask!, 0, 'causal mask');
    const attention = new MultiHeadAttention(16, 4);
    checkParity(attention, fixture, (x) => attention.forward(x, mask));
    mask.dispose();
  });

  it('a pre-LN transformer block', () => {
    const fixture = readFixture<ModuleCase>('encoder_layer');
    const layer = new ReferenceEncoderLayer(8, 2, 32);
    checkParity(layer, fixture, (x) => layer.forward(x));
  });

  it('activations by Hugging Face name', () => {
    const fixture = readFixture<ActivationCases>('activations');
    const x = decode(fixture.input);
    for (const [name, expected] of Object.entries(fixture.cases)) {
      const activation = activationByName(name);
      const upstream = decode(expected.upstream);
      const output = activation(x);
      expectClose(output, expected.output, OUTPUT_TOLERANCE, `${name} output`);
      const inputGrad = tf.grad((input) => tf.sum(tf.mul(activation(input), upstream)))(x);
      expectClose(inputGrad, expected.input_grad, GRAD_TOLERANCE, `${name} input grad`);
      tf.dispose([upstream, output, inputGrad]);
    }
    x.dispose();
  });
});
