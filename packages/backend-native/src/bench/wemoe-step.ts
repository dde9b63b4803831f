// One measurement of `pnpm bench`, in a child process of its own: seconds per WEMoE adaptation
// step (8 tasks × a batch of unlabelled images each, forward and backward through the upscaled
// ViT-B/32, one Adam update of the routers) on the native backend. The model, data and step are
// method-wemoe's own benchmark's (random weights, task vectors, heads and images: the values do not
// change the work). Prints one JSON line: { stepSeconds, evalSeconds, parameters, peakRssMb }.
import { performance } from 'node:perf_hooks';
import { Adam, entropyLoss, runAdaptation, selectBackend } from '@mergebench/core';
import { denseMoeDesign, routerVariables, upscaleModel } from '@mergebench/method-wemoe';
import * as tf from '@tensorflow/tfjs';
import { BENCH_CLASSES, BENCH_MODELS, BENCH_TASKS } from '../../../method-wemoe/dist/bench/models.js';
import { RandomClipPool } from '../../../method-wemoe/dist/bench/random-pool.js';
import { RandomTasks } from '../../../method-wemoe/dist/bench/random-tasks.js';

const [name = 'b32', batchArg = '16', stepsArg = '2'] = process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);

await selectBackend('native');
const { config } = BENCH_MODELS[name];
const pool = new RandomClipPool(config, BENCH_TASKS);
const tasks = new RandomTasks(config, pool.modelNames, BENCH_CLASSES, batch * steps);
const design = denseMoeDesign({ experts: BENCH_TASKS, depth: 2, initLambda: 0.3, seed: 0 });
const { model } = await upscaleModel(pool, {
  design,
  initLambda: 0.3,
  activation: 'auto',
  batchReduce: false,
  seed: 0,
  what: 'bench',
});
const routers = routerVariables(model);
const optimizer = new Adam([...routers.values()], { lr: 1e-4 });

const stepSeconds: number[] = [];
let last = performance.now();
model.train();
await runAdaptation({
  tasks: pool.modelNames,
  data: tasks,
  variables: routers,
  optimizer,
  steps,
  batchSize: batch,
  seed: 0,
  progress: false,
  lossForTask: (task, inputs) => tf.tidy(() => entropyLoss(tasks.head(task).forward(model.forward(inputs)))),
  onStep: (record) => {
    const now = performance.now();
    stepSeconds.push((now - last) / 1000);
    last = now;
    process.stderr.write(
      `  step ${record.step}: ${stepSeconds.at(-1)!.toFixed(1)} s, loss ${record.loss.toFixed(4)}\n`,
    );
  },
});

model.eval();
const images = tf.randomNormal([batch, config.num_channels, config.image_size, config.image_size]);
const evalStart = performance.now();
tf.tidy(() => model.forward(images).dataSync());
const evalSeconds = (performance.now() - evalStart) / 1000;
process.stdout.write(
  `${JSON.stringify({
    stepSeconds,
    evalSeconds,
    parameters: model.countParameters(),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
