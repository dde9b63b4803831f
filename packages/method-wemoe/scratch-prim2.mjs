import * as tf from '@tensorflow/tfjs';
import { selectBackend, matMul } from '@mergebench/core';
await selectBackend('wasm');
function time(label, f, reps = 3) {
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
const B = 16, N = 50, D = 768, T = 9;
const z = tf.randomNormal([B, N, T, D]);
const c = tf.randomNormal([B, T]);
time('plain 800x768x3072', () => tf.matMul(tf.randomNormal([800, 768]), tf.randomNormal([768, 3072])));
time('mul+sum [16,50,9,768]', () => tf.tidy(() => tf.sum(tf.mul(z, tf.reshape(c, [B, 1, T, 1])), 2)));
time('bmm [800,1,9]x[800,9,768]', () => tf.tidy(() => {
  const cc = tf.reshape(tf.tile(tf.reshape(c, [B, 1, T]), [1, N, 1]), [B * N, 1, T]);
  return tf.matMul(cc, tf.reshape(z, [B * N, T, D]));
}));
const x = tf.randomNormal([B, N, D]);
time('outer mul [16,50,9,768]', () => tf.tidy(() => tf.mul(tf.reshape(x, [B, N, 1, D]), tf.reshape(c, [B, 1, T, 1]))));
time('outer bmm', () => tf.tidy(() => {
  const cc = tf.reshape(tf.tile(tf.reshape(c, [B, 1, T]), [1, N, 1]), [B * N, T, 1]);
  return tf.matMul(cc, tf.reshape(x, [B * N, 1, D]));
}));
time('sum-reduce dc [16,50,9,768]*[16,50,1,768]', () => tf.tidy(() => tf.sum(tf.reshape(tf.mul(z, tf.reshape(x, [B, N, 1, D])), [B, N * T * D / (T*D), T, D]), [1, 3])));
