import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationByName, gelu, geluTanh, quickGelu, relu } from './activations.js';
import { Conv2d } from './conv2d.js';
import { Embedding } from './embedding.js';
import { causalAttentionMask } from './functional/causal-mask.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { ModuleList } from './module-list.js';
import { MultiHeadAttention } from './multi-head-attention.js';
import { Sequential } from './sequential.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layer shapes and names', () => {
  it('keep PyTorch layouts and Hugging Face names', () => {
    const shapes = (m: { stateDict(): Map<string, tf.Tensor> }) =>
      Object.fromEntries([...m.stateDict()].map(([k, t]) => [k, t.shape]));
    const layers = [
      new Linear(3, 5),
      new LayerNorm(4),
      new Embedding(7, 2),
      new Conv2d(3, 6, 4),
      new MultiHeadAttention(8, 2),
    ];
    expect(layers.map(shapes)).toEqual([
      { weight: [5, 3], bias: [5] },
      { weight: [4], bias: [4] },
      { weight: [7, 2] },
      { weight: [6, 3, 4, 4], bias: [6] },
      {
        'q_proj.weight': [8, 8],
        'q_proj.bias': [8],
        'k_proj.weight': [8, 8],
        'k_proj.bias': [8],
        'v_proj.weight': [8, 8],
        'v_proj.bias': [8],
        'out_proj.weight': [8, 8],
        'out_proj.bias': [8],
      },
    ]);
    for (const layer of layers) layer.dispose();
  });

  it('map inputs of any leading shape', () => {
    const linear = new Linear(3, 5);
    const norm = new LayerNorm(3);
    const embedding = new Embedding(7, 2);
    tf.tidy(() => {
      expect(linear.forward(tf.zeros([3])).shape).toEqual([5]);
      expect(linear.forward(tf.zeros([2, 4, 6, 3])).shape).toEqual([2, 4, 6, 5]);
      expect(norm.forward(tf.zeros([2, 1, 3])).shape).toEqual([2, 1, 3]);
      expect(embedding.forward(tf.tensor2d([[0, 6, 1]], [1, 3], 'int32')).shape).toEqual([1, 3, 2]);
    });
    tf.dispose([linear, norm, embedding].flatMap((m) => m.parameters()));
  });
});

describe('input errors name what was expected', () => {
  it('for each layer', () => {
    const linear = new Linear(3, 5);
    const norm = new LayerNorm(4);
    const embedding = new Embedding(7, 2);
    const conv = new Conv2d(3, 6, 4);
    const attention = new MultiHeadAttention(8, 2);
    tf.tidy(() => {
      expect(() => linear.forward(tf.zeros([2, 4]))).toThrow('Linear: expected input [..., 3], got [2,4]');
      expect(() => norm.forward(tf.zeros([2, 3]))).toThrow('LayerNorm: expected input [..., 4], got [2,3]');
      expect(() => embedding.forward(tf.zeros([2]))).toThrow('Embedding: expected int32 ids, got float32');
      expect(() => conv.forward(tf.zeros([1, 2, 8, 8]))).toThrow(
        'Conv2d: expected input [B, 3, H ≥ 4, W ≥ 4], got [1,2,8,8]',
      );
      expect(() => attention.forward(tf.zeros([2, 5]))).toThrow(
        'MultiHeadAttention: expected input [B, N, 8], got [2,5]',
      );
      expect(() => attention.forward(tf.zeros([2, 5, 8]), tf.zeros([1, 1, 4, 5]))).toThrow(
        'MultiHeadAttention: attention mask [1,1,4,5] does not broadcast to scores [2,2,5,5]',
      );
    });
    for (const layer of [linear, norm, embedding, conv, attention]) layer.dispose();
  });

  it('for unsupported configurations', () => {
    expect(() => new Conv2d(3, 6, 4, { stride: 2 })).toThrow(
      'Conv2d: only non-overlapping patches are supported (stride = kernel size, padding 0), got kernel 4, stride 2, padding 0',
    );
    expect(() => new Conv2d(3, 6, 4, { padding: 1 })).toThrow(/padding 1/);
    expect(() => new MultiHeadAttention(10, 4)).toThrow(
      'MultiHeadAttention: embedDim 10 is not divisible by numHeads 4',
    );
  });
});

describe('activations', () => {
  it('are looked up by Hugging Face name', () => {
    expect(activationByName('gelu')).toBe(gelu);
    expect(activationByName('quick_gelu')).toBe(quickGelu);
    expect(activationByName('relu')).toBe(relu);
    expect(activationByName('gelu_new')).toBe(geluTanh);
    expect(activationByName('gelu_pytorch_tanh')).toBe(geluTanh);
    expect(() => activationByName('swish')).toThrow(
      "unknown activation 'swish': expected one of gelu, quick_gelu, relu, gelu_new, gelu_pytorch_tanh",
    );
    expect(() => activationByName('toString')).toThrow(/unknown activation/);
  });
});

describe('causalAttentionMask', () => {
  it('blocks attention to later positions only', () => {
    const mask = causalAttentionMask(3);
    expect(mask.shape).toEqual([1, 1, 3, 3]);
    const low = -3.4028234663852886e38;
    expect([...mask.dataSync()]).toEqual([0, low, low, 0, 0, low, 0, 0, 0]);
    mask.dispose();
  });
});

describe('containers', () => {
  it('ModuleList indexes, iterates and has no forward', () => {
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 3)]);
    expect(list.length).toBe(2);
    expect(list.append(new Linear(3, 1)).length).toBe(3);
    expect([...list].map((m) => m.outFeatures)).toEqual([2, 3, 1]);
    expect(list.at(2).outFeatures).toBe(1);
    expect([...list.stateDict().keys()]).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '2.weight',
      '2.bias',
    ]);
    expect(() => list.at(3)).toThrow('ModuleList: index 3 is out of range for 3 items');
    expect(() => list.forward()).toThrow('ModuleList has no forward: call its items');
    list.dispose();
  });

  it('Sequential applies its children in order', () => {
    const first = new Linear(2, 3);
    const second = new LayerNorm(3);
    const sequential = new Sequential([first, second]);
    expect([...sequential.namedChildren().keys()]).toEqual(['0', '1']);
    tf.tidy(() => {
      const x = tf.randomNormal([4, 2]);
      const expected = second.forward(first.forward(x));
      expect([...sequential.forward(x).dataSync()]).toEqual([...expected.dataSync()]);
    });
    sequential.dispose();
  });
});

describe('initialisation', () => {
  it('is reproducible with a seed and differs without one', () => {
    const values = (m: { parameters(): tf.Variable[] }) => m.parameters().map((p) => [...p.dataSync()]);
    const build = (seed?: number) => [
      new MultiHeadAttention(4, 2, { seed }),
      new Conv2d(2, 3, 2, { seed }),
      new Embedding(5, 3, { seed }),
    ];
    const [first, second, unseeded] = [build(7), build(7), build(undefined)];
    expect(first.map(values)).toEqual(second.map(values));
    expect(first.map(values)).not.toEqual(unseeded.map(values));
    // Distinct tensors of one layer get distinct streams.
    const attention = first[0] as MultiHeadAttention;
    expect(values(attention.qProj)[0]).not.toEqual(values(attention.kProj)[0]);
    for (const m of [...first, ...second, ...unseeded]) m.dispose();
  });

  it('follows PyTorch: U(±1/√fan_in) for Linear and Conv2d, ones and zeros for LayerNorm', () => {
    const linear = new Linear(16, 32, { seed: 1 });
    const conv = new Conv2d(4, 8, 2, { seed: 2 });
    const norm = new LayerNorm(3);
    const maxAbs = (t: tf.Tensor) => Math.max(...[...t.dataSync()].map(Math.abs));
    expect(maxAbs(linear.weight)).toBeLessThanOrEqual(1 / 4);
    expect(maxAbs(linear.weight)).toBeGreaterThan(0.2);
    expect(maxAbs(conv.weight)).toBeLessThanOrEqual(1 / 4);
    expect([...norm.weight.dataSync(), ...norm.bias.dataSync()]).toEqual([1, 1, 1, 0, 0, 0]);
    for (const m of [linear, conv, norm]) m.dispose();
  });
});
