import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';
import { Embedding } from './embedding.js';
import { matMul } from './functional/matmul.js';
import { LayerNorm } from './layer-norm.js';
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

  it('matMul and its gradients match tf.matMul', async () => {
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    tf.tidy(() => {
      const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 1);
      const b = tf.randomNormal([2, 3, 5, 6], 0, 1, 'float32', 2);
      const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(matMul(x, y))))([a, b]);
      const [refA, refB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([
        a,
        b,
      ]);
      expect(tf.max(tf.abs(tf.sub(dA, refA))).dataSync()[0]).toBeLessThanOrEqual(1e-4);
      expect(tf.max(tf.abs(tf.sub(dB, refB))).dataSync()[0]).toBeLessThanOrEqual(1e-4);
    });
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
