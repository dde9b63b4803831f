import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ClipVisionModelWithProjection, clipVisionConfig } from '/work/main/packages/modelpool-clip-vit/dist/index.js';
import { ImageClassificationTaskPool, randomHeads, BUILTIN_TASK_NAMES, loadImageTasks } from '/work/main/packages/taskpool-image-classification/dist/index.js';
import { trainEncoder } from '/work/main/packages/method-finetune/dist/index.js';
await tf.setBackend('wasm');
const cfg = clipVisionConfig({ image_size: 32, patch_size: 8, hidden_size: 128, intermediate_size: 512, num_hidden_layers: 4, num_attention_heads: 4, projection_dim: 64 });
const model = new ClipVisionModelWithProjection(cfg);
console.log('params', model.countParameters(), tf.getBackend());
let t = performance.now();
const data = await loadImageTasks({ trainSize: 2048, testSize: 512 });
console.log('load 8 tasks', ((performance.now() - t) / 1000).toFixed(2), 's');
const heads = randomHeads(new Map(BUILTIN_TASK_NAMES.map((n) => [n, data.numClasses(n)])), 64, 0);
const pool = await ImageClassificationTaskPool.create({ heads, trainSize: 2048, testSize: 512, batchSize: 128 });
t = performance.now();
const before = await pool.evaluate(model.eval());
console.log('evaluate 8 x 512', ((performance.now() - t) / 1000).toFixed(2), 's; avg acc', before.average.accuracy.toFixed(3));
for (const task of ['synthetic-shapes', 'mnist']) {
  const m = new ClipVisionModelWithProjection(cfg);
  m.loadStateDict(model.stateDict());
  t = performance.now();
  await trainEncoder(m, { tasks: [task], data: pool.data, heads: pool.heads, lr: 1e-3, steps: 150, batchSize: 32, weightDecay: 0, schedule: 'cosine', warmupSteps: 10, maxGradNorm: 1, seed: 0, progress: false });
  const secs = (performance.now() - t) / 1000;
  const r = await pool.evaluate(m.eval(), { tasks: [task] });
  console.log(task, '150 steps b32', secs.toFixed(1), 's', (150 / secs).toFixed(2), 'steps/s; acc', before.tasks[task].accuracy.toFixed(3), '->', r.tasks[task].accuracy.toFixed(3));
  m.dispose();
}
