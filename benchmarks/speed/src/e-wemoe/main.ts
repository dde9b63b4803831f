// `pnpm bench:e-wemoe [rounds]`: seconds per adaptation step of E-WEMoE beside WEMoE's, on the offline
// zoo's shapes (CLIP tower of width 256, 4 layers, 32 px / 8; 8 tasks × 16 random images), the
// models built once and timed in turns so that both see the same machine load. On the native
// backend E-WEMoE is also timed with tfjs's cpu ScatterNd in place of the native one, the kernel
// that rebuilds its sparse task vectors dense in every pass.
import { formatTable, selectBackend } from '@mergebench/core';
import { sparseMoeDesign } from '@mergebench/method-e-wemoe';
import { clipVisionConfig, RandomClipPool } from '@mergebench/modelpool-clip-vit';
import { denseMoeDesign, type MoeDesign, upscaleModel } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { BENCH_CLASSES, BENCH_TASKS } from '../wemoe/models.js';
import { RandomTasks } from '../wemoe/random-tasks.js';
import { timeAdaptationSteps } from '../wemoe/timed-steps.js';

const CONFIG = clipVisionConfig({
  hidden_size: 256,
  intermediate_size: 1024,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  image_size: 32,
  patch_size: 8,
  projection_dim: 128,
});
const BATCH = 16;
/** Steps per turn; the first of each turn is not counted (it allocates). */
const STEPS = 4;

const rounds = Number(process.argv[2] ?? 5);
const backend = await selectBackend(process.env.MERGEBENCH_BACKEND ?? 'native');
const pool = new RandomClipPool(CONFIG, BENCH_TASKS);
const router = { experts: BENCH_TASKS, depth: 2 as const, initLambda: 0.3, seed: 0 };

async function upscaled(design: MoeDesign) {
  const options = { design, initLambda: 0.3, activation: 'auto', batchReduce: false, seed: 0, what: 'bench' };
  return (await upscaleModel(pool, options)).model;
}

const models = {
  wemoe: await upscaled(denseMoeDesign(router)),
  eWemoe: await upscaled(sparseMoeDesign({ ...router, pruneRatio: 0.9, encodingDim: 0 })),
};

/** The fastest step of one turn of STEPS steps, the first left out. */
async function fastestStep(model: typeof models.wemoe): Promise<number> {
  const tasks = new RandomTasks(CONFIG, pool.modelNames, BENCH_CLASSES, BATCH * STEPS);
  const seconds = await timeAdaptationSteps(model, tasks, { steps: STEPS, batch: BATCH });
  return Math.min(...seconds.slice(1));
}

const native = tf.getKernel('ScatterNd', backend.name);
const cpu = tf.getKernel('ScatterNd', 'cpu');
const swapScatter = native !== undefined && cpu !== undefined && native.kernelFunc !== cpu.kernelFunc;
function useScatter(kernel: tf.KernelConfig | undefined): void {
  if (!swapScatter || kernel === undefined) return;
  tf.unregisterKernel('ScatterNd', backend.name);
  tf.registerKernel({ ...kernel, backendName: backend.name });
}

const times: Record<string, number[]> = { wemoe: [], eWemoe: [], eWemoeCpuScatter: [] };
for (let round = 1; round <= rounds; round++) {
  times.wemoe.push(await fastestStep(models.wemoe));
  times.eWemoe.push(await fastestStep(models.eWemoe));
  if (swapScatter) {
    useScatter(cpu);
    times.eWemoeCpuScatter.push(await fastestStep(models.eWemoe));
    useScatter(native);
  }
  process.stderr.write(`round ${round}/${rounds} done\n`);
}

const best = (values: number[]) => Math.min(...values);
const rows = [
  ['WEMoE (dense experts)', times.wemoe],
  [`E-WEMoE (sparse experts, ${backend.name} ScatterNd)`, times.eWemoe],
  ...(swapScatter ? [['E-WEMoE with the cpu ScatterNd', times.eWemoeCpuScatter] as const] : []),
] as const;
console.log(
  `Adaptation step at the offline zoo's shapes, ${BENCH_TASKS} tasks × ${BATCH} images, backend ${backend.name}; ` +
    `fastest of ${rounds} turns of ${STEPS - 1} timed steps each.\n`,
);
console.log(
  formatTable(
    ['run', 's/step', '÷ WEMoE'],
    rows.map(([label, values]) => [
      label,
      best(values).toFixed(2),
      `${(best(values) / best(times.wemoe)).toFixed(2)}×`,
    ]),
  ),
);
