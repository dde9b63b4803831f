// One measurement of `pnpm bench:backend-webgpu`, in a child process of its own: GFLOP/s of
// tf.matMul on one backend at ViT-B/32 shapes (those of the backend-native subject), every
// transpose flag.
// A GPU runs the queued products in order: `repeats` products, then one value of the last read
// back, time the lot. Prints one JSON line: { backend, device, results: [{ label, seconds, gflops }] }.
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

interface MatMulCase {
  readonly label: string;
  readonly a: number[];
  readonly b: number[];
  readonly transpose_a: boolean;
  readonly transpose_b: boolean;
}

function product(
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  batch: number[] = [],
): MatMulCase {
  const flags = [ta ? 'Aᵀ' : 'A', tb ? 'Bᵀ' : 'B'].join('·');
  const dims = `${batch.length > 0 ? `${batch.join('×')} × ` : ''}[${m}×${k}]·[${k}×${n}]`;
  return {
    label: `${dims} ${flags}`,
    a: [...batch, ...(ta ? [k, m] : [m, k])],
    b: [...batch, ...(tb ? [n, k] : [k, n])],
    transpose_a: ta,
    transpose_b: tb,
  };
}

/** An MLP's first product for 256 and 3,200 tokens (and its backward's), attention for 768 heads. */
const MATMUL_CASES: readonly MatMulCase[] = [
  product(256, 768, 3072, false, false),
  product(256, 768, 3072, false, true),
  product(256, 3072, 768, true, false),
  product(3200, 768, 3072, false, false),
  product(3200, 768, 3072, false, true),
  product(768, 3200, 3072, true, false),
  product(50, 64, 50, false, false, [768]),
  product(50, 64, 50, false, true, [768]),
  product(50, 50, 64, true, false, [768]),
];

function flopsOf(c: MatMulCase): number {
  const batch = c.a.slice(0, -2).reduce((x, y) => x * y, 1);
  const [m, k] = c.transpose_a ? [c.a.at(-1)!, c.a.at(-2)!] : [c.a.at(-2)!, c.a.at(-1)!];
  const n = c.transpose_b ? c.b.at(-2)! : c.b.at(-1)!;
  return 2 * batch * m * n * k;
}

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
