// Part of `pnpm bench:wemoe`, in a child process: the two ways of giving every sample its own MLP
// weights, timed on the wasm backend at the shapes of one ViT-B/32 fc1 (768 → 3072) with 8 task
// vectors and a batch of 16 × 50 tokens: forward, and forward + backward to x and the routing
// weights. Prints one JSON line (StrategyMeasurement).
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import { perSampleEnsembledProduct } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { assembledProduct } from './assembled-product.js';
import { BENCH_TASKS, STRATEGY_BATCH } from './models.js';

export interface StrategyTiming {
  readonly forwardSeconds: number;
  readonly forwardBackwardSeconds: number;
  /** The largest intermediate the strategy builds in the forward pass, and in the backward pass. */
  readonly forwardIntermediateBytes: number;
  readonly backwardIntermediateBytes: number;
}

export interface StrategyMeasurement {
  readonly shape: { batch: number; tokens: number; in: number; out: number; experts: number };
  readonly scaledInputs: StrategyTiming;
  readonly assembledWeights: StrategyTiming;
}

const TOKENS = 50;
const IN = 768;
const OUT = 3072;
const EXPERTS = BENCH_TASKS + 1;

function seconds(run: () => tf.Tensor | tf.Tensor[]): number {
  const start = performance.now();
  const out = run();
  for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
  tf.dispose(out);
  return (performance.now() - start) / 1000;
}

function time(product: (x: tf.Tensor, c: tf.Tensor) => tf.Tensor, x: tf.Tensor, c: tf.Tensor) {
  const forwardSeconds = seconds(() => product(x, c));
  const grads = tf.grads((xIn: tf.Tensor, cIn: tf.Tensor) => tf.sum(product(xIn, cIn)));
  const forwardBackwardSeconds = seconds(() => grads([x, c]));
  return { forwardSeconds, forwardBackwardSeconds };
}

async function measure(): Promise<StrategyMeasurement> {
  await selectBackend('wasm');
  const x = tf.randomUniform([STRATEGY_BATCH, TOKENS, IN], -1, 1);
  const c = tf.randomUniform([STRATEGY_BATCH, EXPERTS]);
  const blocks = Array.from({ length: EXPERTS }, () => tf.randomUniform([OUT, IN], -0.05, 0.05));
  const biases = tf.zeros([EXPERTS, OUT]);
  const scaled = time(
    (xIn, cIn) =>
      perSampleEnsembledProduct(xIn, cIn, () => blocks.map((b) => tf.reshape(b, b.shape)), biases),
    x,
    c,
  );
  tf.dispose([...blocks, biases]);
  // The alternative multiplies by the transposed blocks, [E, in, out].
  const transposedStack = tf.randomUniform([EXPERTS, IN, OUT], -0.05, 0.05);
  process.stderr.write(`  scaled inputs: ${JSON.stringify(scaled)}\n`);
  const assembled = time((xIn, cIn) => assembledProduct(xIn, cIn, transposedStack), x, c);
  process.stderr.write(`  assembled weights: ${JSON.stringify(assembled)}\n`);
  return {
    shape: { batch: STRATEGY_BATCH, tokens: TOKENS, in: IN, out: OUT, experts: EXPERTS },
    // Forward, two partial sums [out, B·N]; backward, a block's copy and its packed form.
    scaledInputs: {
      ...scaled,
      forwardIntermediateBytes: 2 * 4 * STRATEGY_BATCH * TOKENS * OUT,
      backwardIntermediateBytes: 2 * 4 * IN * OUT,
    },
    // The per-sample weights [B, in, out], and their gradient in the backward pass.
    assembledWeights: {
      ...assembled,
      forwardIntermediateBytes: 4 * STRATEGY_BATCH * IN * OUT,
      backwardIntermediateBytes: 4 * STRATEGY_BATCH * IN * OUT,
    },
  };
}

process.stdout.write(`${JSON.stringify(await measure())}\n`);
