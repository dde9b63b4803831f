import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@mergebench/core';
await selectBackend('wasm');
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
const a = tf.randomNormal([800, 3072]), b = tf.randomNormal([3072, 768]);
time('ref plain [800,3072]x[3072,768]', () => tf.matMul(a, b));
const xi = tf.randomNormal([800, 9 * 3072]), Si = tf.randomNormal([9 * 3072, 768]);
time('fc2 input-side [800,27648]x[27648,768]', () => tf.matMul(xi, Si));
const Wo = tf.randomNormal([3072, 9 * 768]);
time('fc2 output-side [800,3072]x[3072,6912]', () => tf.matMul(a, Wo));
time('ref plain again', () => tf.matMul(a, b));
const c = tf.randomNormal([9]);
const S3 = tf.reshape(Si, [9, 3072, 768]);
time('shared merge sum(mul) [9,3072,768]', () => tf.tidy(() => tf.sum(tf.mul(S3, tf.reshape(c, [9, 1, 1])), 0)));
time('shared merge matMul [1,9]x[9,2.36M]', () => tf.tidy(() => tf.matMul(tf.reshape(c, [1, 9]), tf.reshape(S3, [9, -1]))));
time('transpose [27648,768]', () => tf.transpose(Si));
