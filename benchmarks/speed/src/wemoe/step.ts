// One measurement of `pnpm bench:wemoe`, in a child process of its own so its peak memory is its own:
// seconds per WEMoE adaptation step on MERGEBENCH_BACKEND (default wasm) for one model of
// BENCH_MODELS (random weights, task vectors, heads and images; the values do not change the
// work), and the seconds of one evaluation forward pass. Arguments: the model's name, then
// optionally images per task and steps instead of the model's. Prints one JSON line
// (StepMeasurement).
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import { RandomClipPool } from '@mergebench/modelpool-clip-vit';
import { denseMoeDesign, upscaleModel } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { BENCH_CLASSES, BENCH_MODELS, BENCH_TASKS } from './models.js';
import { RandomTasks } from './random-tasks.js';
import { timeAdaptationSteps } from './timed-steps.js';
import { wasmHeapBytes } from './wasm-heap.js';

export interface StepMeasurement {
  readonly backend: string;
  readonly parameters: number;
  readonly trainableParameters: number;
  /** θ₀ and task vectors held by the upscaled MLPs. */
  readonly expertBytes: number;
  readonly setupSeconds: number;
  /** Wall seconds of each step. */
  readonly stepSeconds: number[];
  /** One evaluation forward pass of a batch, routed per sample. */
  readonly evalSeconds: number;
  /** Largest tensor bytes alive at the end of a task's forward pass (its tape held for backward). */
  readonly peakTensorBytes: number;
  readonly wasmHeapBytes: number | null;
  readonly peakRssMb: number;
}

async function measure(name: string, batch?: number, steps?: number): Promise<StepMeasurement> {
  const choice = await selectBackend(process.env.MERGEBENCH_BACKEND ?? 'wasm');
  const bench = { ...BENCH_MODELS[name], ...(batch ? { batch } : {}), ...(steps ? { steps } : {}) };
  const setupStart = performance.now();
  const pool = new RandomClipPool(bench.config, BENCH_TASKS);
  const tasks = new RandomTasks(bench.config, pool.modelNames, BENCH_CLASSES, bench.batch * bench.steps);
  const design = denseMoeDesign({ experts: BENCH_TASKS, depth: 2, initLambda: 0.3, seed: 0 });
  const { model, summary } = await upscaleModel(pool, {
    design,
    initLambda: 0.3,
    activation: 'auto',
    batchReduce: false,
    seed: 0,
    what: 'bench',
  });
  const setupSeconds = (performance.now() - setupStart) / 1000;
  process.stderr.write(`  setup ${setupSeconds.toFixed(1)} s\n`);

  let peakTensorBytes = 0;
  const stepSeconds = await timeAdaptationSteps(model, tasks, {
    steps: bench.steps,
    batch: bench.batch,
    duringPass: () => {
      peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
    },
    onStep: (record, seconds) =>
      process.stderr.write(
        `  step ${record.step}: ${seconds.toFixed(1)} s, loss ${record.loss.toFixed(4)}\n`,
      ),
  });

  model.eval();
  const { image_size: size, num_channels: channels } = bench.config;
  const images = tf.randomNormal([bench.batch, channels, size, size]);
  const evalStart = performance.now();
  tf.tidy(() => model.forward(images).dataSync());
  const evalSeconds = (performance.now() - evalStart) / 1000;
  return {
    backend: choice.name,
    parameters: model.countParameters(),
    trainableParameters: model.countParameters({ trainableOnly: true }),
    expertBytes: summary.expertBytes,
    setupSeconds,
    stepSeconds,
    evalSeconds,
    peakTensorBytes,
    wasmHeapBytes: wasmHeapBytes() ?? null,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const [name, batch, steps] = process.argv.slice(2);
process.stdout.write(
  `${JSON.stringify(await measure(name, Number(batch) || undefined, Number(steps) || undefined))}\n`,
);
