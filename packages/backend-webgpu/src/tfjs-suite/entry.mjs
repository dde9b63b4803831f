// tfjs-core's own kernel tests (shipped in its npm package as dist/**/*_test.js), run against the
// `webgpu` backend only, as tfjs-backend-webgpu's own test registry sets it up (every kernel on the
// GPU: no small-tensor hand-off to the CPU). Bundled by tools/tfjs-suite/run.mjs so that tfjs, its tests and this
// backend share one tfjs-core (its ES module build).
import { setTestEnvs } from '@tensorflow/tfjs-core/dist/jasmine_util';
import { loadDawn, waitForMapping } from '../dawn-node.ts';
import { registerWebGPU } from '../register.ts';

await registerWebGPU(await loadDawn(), {
  errorClass: Error,
  waitForMapping,
  noAdapterHint: 'no Vulkan device: run scripts/setup.sh',
});
setTestEnvs([
  { name: 'webgpu', backendName: 'webgpu', flags: { WEBGPU_CPU_FORWARD: false }, isDataSync: true },
]);
