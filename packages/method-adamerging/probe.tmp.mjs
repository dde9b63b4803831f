import { performance } from 'node:perf_hooks';
import { selectBackend, Linear, entropyLoss } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { MergedWeights } from './dist/merged-weights.js';
import { TaskVectors } from './dist/task-vectors.js';
await selectBackend('wasm');
const heap = () => (tf.backend().wasm.HEAPU8.length / 2 ** 30).toFixed(2) + ' GiB heap, ' + (tf.memory().numBytes / 2 ** 30).toFixed(2) + ' GiB live';
const model = new ClipVisionModelWithProjection(clipVisionConfig()).eval();
const head = new Linear(512, 10).requiresGrad(false);
console.log('model', heap());
const mode = process.argv[2];
const batch = Number(process.argv[3]);
const x = tf.randomNormal([batch, 3, 224, 224]);
let t = performance.now();
if (mode === 'plain') {
  const r = tf.variableGrads(() => { const y = entropyLoss(head.forward(model.forward(x))); console.log('after forward', heap()); return y; }, model.trainableVariables());
  r.value.dataSync(); tf.dispose([r.value, ...Object.values(r.grads)]);
} else {
  const stacks = new Map([...model.namedParameters()].map(([k, p]) => [k, new Float32Array(2 * p.size).fill(1e-4)]));
  const w = new MergedWeights(model, TaskVectors.fromStacks(['a', 'b'], stacks), 'layer-wise', 0.3);
  const r = tf.variableGrads(() => { const y = w.entropy(head, x); console.log('after forward', heap()); return y; }, [w.coefficients]);
  r.value.dataSync(); tf.dispose([r.value, ...Object.values(r.grads)]);
}
console.log(mode, batch, ((performance.now() - t) / 1000).toFixed(1), 's', heap());
