import { performance } from 'node:perf_hooks';
import { selectBackend, Linear, entropyLoss } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
await selectBackend('wasm');
const model = new ClipVisionModelWithProjection(clipVisionConfig()).eval();
const head = new Linear(512, 10).requiresGrad(false);
const x = tf.randomNormal([Number(process.argv[2] ?? 1), 3, 224, 224]);
for (let r = 0; r < 2; r++) {
let t0 = performance.now(), t1;
const prof = await tf.profile(() => { const r = tf.variableGrads(() => { const y = entropyLoss(head.forward(model.forward(x))); y.dataSync(); t1 = performance.now(); return y; }, model.trainableVariables()); r.value.dataSync(); tf.dispose([r.value, ...Object.values(r.grads)]); });
const t2 = performance.now();
console.log('forward', ((t1 - t0) / 1000).toFixed(1), 'total', ((t2 - t0) / 1000).toFixed(1));
const byKernel = new Map();
for (const k of prof.kernels) { const e = byKernel.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs ?? 0; e[1]++; byKernel.set(k.name, e); }
console.log([...byKernel].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12).map(([n, [ms, c]]) => `${n} ${(ms / 1000).toFixed(2)}s x${c}`).join('\n'));
}
