// One measurement of `pnpm bench:adamerging`, in a child process of its own so its peak RSS is its own:
// seconds per layer-wise AdaMerging step on BENCH_BACKEND for one model of BENCH_MODELS, with
// random weights, task vectors, heads and images (the values do not change the work). Prints
// one JSON line (StepMeasurement).
import { performance } from 'node:perf_hooks';
import {
  Adam,
  type Batch,
  Linear,
  type Module,
  runAdaptation,
  selectBackend,
  type TaskData,
  type TaskHeads,
} from '@mergebench/core';
import { MergedWeights, TaskVectors } from '@mergebench/method-adamerging';
import { ClipVisionModelWithProjection } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { BENCH_BACKEND, BENCH_CLASSES, BENCH_MODELS, BENCH_TASKS, type BenchModel } from './models.js';

export interface StepMeasurement {
  readonly backend: string;
  readonly parameters: number;
  readonly parameterTensors: number;
  /** Wall seconds of each step, the first one warming up. */
  readonly stepSeconds: number[];
  readonly setupSeconds: number;
  readonly peakRssMb: number;
}

/** Random images for every task, and a random frozen head per task. */
class RandomTasks implements TaskData, TaskHeads {
  readonly taskNames = Array.from({ length: BENCH_TASKS }, (_, i) => `task${i}`);
  readonly #heads = new Map<string, Module>();

  constructor(
    private readonly model: BenchModel,
    private readonly images: number,
  ) {
    this.taskNames.forEach((task, i) => {
      this.#heads.set(
        task,
        new Linear(model.config.projection_dim, BENCH_CLASSES, { seed: i }).requiresGrad(false),
      );
    });
  }

  size(): number {
    return this.images;
  }

  async *batches(_task: string, _split: string, options: { batchSize: number }): AsyncIterable<Batch> {
    const { image_size: size, num_channels: channels } = this.model.config;
    for (let start = 0; start < this.images; start += options.batchSize) {
      yield { inputs: tf.randomNormal([options.batchSize, channels, size, size]) };
    }
  }

  head(task: string): Module {
    return this.#heads.get(task)!;
  }

  numClasses(): number {
    return BENCH_CLASSES;
  }
}

/** Small uniform noise as every task's vector: a fast generator, since B/32 needs 700M values. */
function randomStacks(model: Module): Map<string, Float32Array> {
  let state = 0x2545f491;
  const stacks = new Map<string, Float32Array>();
  for (const [key, p] of model.namedParameters()) {
    const stack = new Float32Array(BENCH_TASKS * p.size);
    for (let i = 0; i < stack.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      stack[i] = (state / 2 ** 31) * 1e-3;
    }
    stacks.set(key, stack);
  }
  return stacks;
}

async function measure(name: string): Promise<StepMeasurement> {
  const choice = await selectBackend(BENCH_BACKEND);
  const bench = BENCH_MODELS[name];
  const setupStart = performance.now();
  const model = new ClipVisionModelWithProjection(bench.config).eval();
  const tasks = new RandomTasks(bench, bench.batch * bench.steps);
  const taskVectors = TaskVectors.fromStacks(tasks.taskNames, randomStacks(model));
  const weights = new MergedWeights(model, taskVectors, 'layer-wise', 0.3);
  const optimizer = new Adam([weights.coefficients], { lr: 1e-3 });
  const setupSeconds = (performance.now() - setupStart) / 1000;

  const stepSeconds: number[] = [];
  let last = performance.now();
  await runAdaptation({
    tasks: tasks.taskNames,
    data: tasks,
    variables: [weights.coefficients],
    optimizer,
    steps: bench.steps,
    batchSize: bench.batch,
    microBatchSize: bench.microBatch,
    seed: 0,
    progress: false,
    lossForTask: (task, inputs) => weights.entropy(tasks.head(task), inputs),
    onStep: (record) => {
      const now = performance.now();
      stepSeconds.push((now - last) / 1000);
      last = now;
      process.stderr.write(
        `  step ${record.step}: ${stepSeconds.at(-1)!.toFixed(2)} s, loss ${record.loss.toFixed(4)}\n`,
      );
    },
  });
  return {
    backend: choice.name,
    parameters: model.countParameters(),
    parameterTensors: weights.keys.length,
    stepSeconds,
    setupSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

process.stdout.write(`${JSON.stringify(await measure(process.argv[2]))}\n`);
