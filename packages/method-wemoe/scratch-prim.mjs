import * as tf from '@tensorflow/tfjs';
import { selectBackend, matMul } from '@mergebench/core';
await selectBackend('wasm');
console.log(tf.getBackend());
function time(label, f, reps = 2) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const y = f();
    y.dataSync();
    best = Math.min(best, performance.now() - t0);
    y.dispose();
  }
  console.log(label, best.toFixed(0), 'ms');
}
const B = 16, N = 50, D = 768, H = 3072, T = 8;
const x = tf.randomNormal([B * N, D]);
const Wcat = tf.randomNormal([D, T * H]);
const W0 = tf.randomNormal([D, H]);
time('plain [800,768]x[768,3072]', () => tf.matMul(x, W0));
time('algebraic [800,768]x[768,24576]', () => tf.matMul(x, Wcat), 1);
const xb = tf.randomNormal([B, N, D]);
const Wb = tf.randomNormal([B, D, H]);
time('batched [16,50,768]x[16,768,3072]', () => tf.matMul(xb, Wb), 1);
const r = tf.randomNormal([B, T]);
const stack = tf.randomNormal([T, D * H]);
time('routing [16,8]x[8,2.36M]', () => tf.matMul(r, stack), 1);
time('transpose [768,24576]', () => tf.transpose(Wcat), 1);
time('transpose [16,768,3072]', () => tf.transpose(Wb, [0, 2, 1]), 1);
const z = tf.randomNormal([B, N, T, H]);
time('mul+sum [16,50,8,3072]', () => tf.sum(tf.mul(z, tf.reshape(r, [B, 1, T, 1])), 2), 1);
console.log(tf.memory().numBytes / 2 ** 20, 'MiB');
