// One measurement of `pnpm bench:backend-webgpu`, in a child process of its own: GFLOP/s of
// tf.matMul on one backend at ViT-B/32 shapes (those of the backend-native subject), every
// transpose flag.
// A GPU runs the queued products in order: `repeats` products, then one value of the last read
// back, time the lot. Prints one JSON line: { backend, device, results: [{ label, seconds, gflops }] }.
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { flopsOf, MATMUL_CASES } from '../matmul-shapes.js';

const backend = process.argv[2] ?? 'webgpu';
const repeats = Number(process.argv[3] ?? 5);

const choice = await selectBackend(backend);
const results = MATMUL_CASES.map((c) => {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const run = (n: number) => {
    const start = performance.now();
    const outs = Array.from({ length: n }, () => tf.matMul(a, b, c.transpose_a, c.transpose_b));
    tf.tidy(() =>
      tf
        .slice(
          outs[n - 1],
          outs[n - 1].shape.map(() => 0),
          outs[n - 1].shape.map(() => 1),
        )
        .dataSync(),
    );
    tf.dispose(outs);
    return (performance.now() - start) / 1000 / n;
  };
  run(1); // warm-up: shader compilation, buffer allocation
  const seconds = run(repeats);
  tf.dispose([a, b]);
  return { label: c.label, seconds, gflops: flopsOf(c) / seconds / 1e9 };
});
process.stdout.write(`${JSON.stringify({ backend: choice.name, device: choice.device, results })}\n`);
