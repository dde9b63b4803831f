// `pnpm bench:regmean-solve`: wall time of the float64 Cholesky factorisation and solve that merge one Linear
// layer, at CLIP ViT-B/32's sizes: the attention projections (768 inputs, 768 outputs), fc1
// (768 → 3072) and fc2 (3072 → 768). The matrix is a Gram matrix of random inputs, as in a merge.
import { performance } from 'node:perf_hooks';
import { formatTable } from '@mergebench/core';
import { choleskyFactor, choleskySolve } from '@mergebench/method-regmean';
import * as tf from '@tensorflow/tfjs';

const SIZES: readonly (readonly [string, number, number])[] = [
  ['q/k/v/out_proj', 768, 768],
  ['mlp.fc1', 768, 3072],
  ['mlp.fc2', 3072, 768],
];

/** XᵀX/rows + diag/20 for random X, computed by tfjs, as float64. */
function gram(n: number): Float64Array {
  const g = tf.tidy(() => {
    const x = tf.randomNormal([2 * n, n], 0, 1, 'float32', 1);
    const xtx = tf.div(tf.matMul(x, x, true, false), 2 * n);
    return tf.add(xtx, tf.mul(tf.eye(n), 0.05));
  });
  const values = Float64Array.from(g.dataSync());
  g.dispose();
  return values;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  // Warm-up, so that the first size's figure does not include compiling the loops.
  const warm = choleskyFactor(gram(128), 128);
  if (warm.ok) choleskySolve(warm.factor, 128, new Float64Array(128 * 128), 128);
  const rows: string[][] = [];
  for (const [layer, n, m] of SIZES) {
    const a = gram(n);
    const b = Float64Array.from({ length: n * m }, (_, i) => Math.sin(i));
    let start = performance.now();
    const factor = choleskyFactor(a, n);
    const factorSeconds = (performance.now() - start) / 1000;
    if (!factor.ok) throw new Error(`the ${n}×${n} test matrix is singular`);
    start = performance.now();
    choleskySolve(factor.factor, n, b, m);
    const solveSeconds = (performance.now() - start) / 1000;
    const gflop = (n ** 3 / 3 + 2 * n * n * m) / 1e9;
    rows.push([
      layer,
      `${n}`,
      `${m}`,
      factorSeconds.toFixed(2),
      solveSeconds.toFixed(2),
      (gflop / (factorSeconds + solveSeconds)).toFixed(2),
    ]);
  }
  console.log(formatTable(['layer', 'n (inputs)', 'm (outputs)', 'factor s', 'solve s', 'GFLOP/s'], rows));
}

await main();
