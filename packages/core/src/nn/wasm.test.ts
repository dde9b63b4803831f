import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';
import { Embedding } from './embedding.js';
import {
  expectMatchesTfMatMul,
  FLAGS,
  recordProductFlags,
  SHAPES,
} from './functional/matmul.test.helpers.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { MultiHeadAttention } from './multi-head-attention.js';

/** A miniature vision transformer: every layer whose gradient needs care on wasm. */
class PatchAttention extends Module {
  readonly conv = this.registerModule('conv', new Conv2d(3, 8, 2));
  readonly positions = this.registerModule('positions', new Embedding(6, 8));
  readonly norm = this.registerModule('norm', new LayerNorm(8));
  readonly attention = this.registerModule('attention', new MultiHeadAttention(8, 2));

  forward(images: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const patches = this.conv.forward(images);
      const [batch, dim, rows, cols] = patches.shape;
      const tokens = tf.transpose(tf.reshape(patches, [batch, dim, rows * cols]), [0, 2, 1]);
      // Repeated ids, so that the embedding gradient has rows to sum.
      const ids = tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32');
      return this.attention.forward(this.norm.forward(tf.add(tokens, this.positions.forward(ids))));
    });
  }
}

/** Output and parameter gradients, read back as plain arrays. */
function run(model: PatchAttention, images: tf.Tensor): number[][] {
  return tf.tidy(() => {
    const output = model.forward(images);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.forward(images))),
      model.trainableVariables(),
    );
    return [output, ...model.trainableVariables().map((v) => grads[v.name])].map((t) => [...t.dataSync()]);
  });
}

function maxAbsDiff(a: number[], b: number[]): number {
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
}

describe('on the wasm backend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matMul and its gradients match tf.matMul, every transpose flag', async () => {
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (const [transposeA, transposeB] of FLAGS) expectMatchesTfMatMul(SHAPES[2], transposeA, transposeB);
  });

  it('runs Linear and attention, forward and backward, with plain products only', async () => {
    await tf.setBackend('wasm');
    const linear = new Linear(8, 8);
    const attention = new MultiHeadAttention(8, 2);
    const flags = recordProductFlags('wasm', () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 3, 8]);
        const variables = [...linear.trainableVariables(), ...attention.trainableVariables()];
        tf.variableGrads(() => tf.sum(attention.forward(linear.forward(x))) as tf.Scalar, variables);
      });
    });
    linear.dispose();
    attention.dispose();
    // Forward: 1 + 4 projections + 2 attention products; backward: two products each.
    expect(flags.length).toBe(7 * 3);
    expect(flags.flat().some(Boolean)).toBe(false);
  });

  it('a miniature vision transformer gives the same outputs and gradients as on cpu', async () => {
    await tf.setBackend('cpu');
    const model = new PatchAttention();
    const images = tf.randomNormal([2, 3, 4, 6], 0, 1, 'float32', 4);
    const onCpu = run(model, images);
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const onWasm = run(model, images);
    expect(onWasm.map((values) => values.length)).toEqual(onCpu.map((values) => values.length));
    onWasm.forEach((values, i) => {
      expect(maxAbsDiff(values, onCpu[i])).toBeLessThanOrEqual(1e-4);
    });
    model.dispose();
    images.dispose();
  });
});
