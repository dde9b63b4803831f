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
const u = (s) => tf.randomUniform(s);
const a = u([800, 3072]), b = u([3072, 768]);
const S2 = u([27648, 768]), dyT = u([768, 800]), x2 = u([800, 27648]);
const S1 = u([6912, 3072]), dyT1 = u([3072, 800]), x1 = u([800, 6912]);
time('ref plain [800,3072]x[3072,768] (3.8 GF)', () => tf.matMul(a, b));
time('bwd fc2 [27648,768]x[768,800]', () => tf.matMul(S2, dyT));
time('fwd fc2 [800,27648]x[27648,768]', () => tf.matMul(x2, S2));
time('bwd fc1 [6912,3072]x[3072,800]', () => tf.matMul(S1, dyT1));
time('fwd fc1 [800,6912]x[6912,3072]', () => tf.matMul(x1, S1));
time('ref plain', () => tf.matMul(a, b));
