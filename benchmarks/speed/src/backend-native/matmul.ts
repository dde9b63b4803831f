// One measurement of `pnpm bench:backend-native`, in a child process of its own: GFLOP/s of
// tf.matMul on the native backend for every case of MATMUL_CASES, the fastest of a few runs after a
// warm-up. The backend is synchronous: the product is complete when tf.matMul returns, and it is
// not read back (values read out are never recycled, so reading would time fresh memory's page
// faults too).
// Prints one JSON line: { results: [{ label, seconds, gflops }] }.
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { flopsOf, MATMUL_CASES } from '../matmul-shapes.js';

const REPEATS = Number(process.argv[2] ?? 5);

await selectBackend('native');
const results = MATMUL_CASES.map((c) => {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const run = () => {
    const start = performance.now();
    const out = tf.matMul(a, b, c.transpose_a, c.transpose_b);
    out.dispose();
    return (performance.now() - start) / 1000;
  };
  run();
  const seconds = Math.min(...Array.from({ length: REPEATS }, run));
  tf.dispose([a, b]);
  return { label: c.label, seconds, gflops: flopsOf(c) / seconds / 1e9 };
});
process.stdout.write(`${JSON.stringify({ results })}\n`);
