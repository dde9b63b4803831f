// The entry core's backend selection loads (`@mergebench/backend-webgpu/mergebench-backend`,
// found by the package's `mergebench-backend` keyword): the backend's name, priority and probe,
// without loading Dawn. The probe loads the package (index.ts), which registers the tfjs backend.
//
// Dawn prints two lines on stderr the first time it enumerates Vulkan adapters on Mesa's llvmpipe
// ("Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to
// fit dynamic offset allocation limit.", and the same for storage buffers): llvmpipe reports no
// real limit and Dawn caps it. Dawn writes them with fprintf(stderr) in its own logger
// (dawn/common/Log.cpp), which no Dawn toggle, log level or option of the Node binding governs, and
// Node cannot point a native library's file descriptor 2 elsewhere for the length of one call.
// So `auto` asks for the adapter in a child process (probe-adapter.ts) whose stderr goes to the
// verbose log, and loads Dawn in the run only when it will use it: a software adapter is passed
// over without being loaded. `--backend webgpu` on llvmpipe still prints them once, from the run.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendProbeContext, BackendProbeResult, MergebenchBackend } from '@mergebench/core';
import { softwareSkip, type WebGPUAdapterInfo } from './adapter-info.js';

/** Above native TensorFlow on the CPU (3), below it on CUDA (5). */
export const PRIORITY = 4;

type AdapterProbe = { adapter: WebGPUAdapterInfo } | { error: string };

/** Runs probe-adapter.js in a child process: the adapter Dawn would give, or why none. */
function probeAdapter(debug: (line: string) => void): Promise<AdapterProbe> {
  const script = fileURLToPath(new URL('./probe-adapter.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { timeout: 120_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      for (const line of stderr.split('\n')) if (line.trim() !== '') debug(`dawn: ${line.trim()}`);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as AdapterProbe);
      } catch {
        const why = error ? error.message.split('\n')[0] : 'no answer';
        resolve({ error: `the adapter probe failed (${why})` });
      }
    });
  });
}

const backend: MergebenchBackend = {
  name: 'webgpu',
  priority: PRIORITY,
  async probe({ auto, debug }: BackendProbeContext): Promise<BackendProbeResult> {
    if (auto) {
      const found = await probeAdapter(debug);
      if ('error' in found) {
        const { NO_ADAPTER_HINT } = await import('./dawn-node.js');
        return { ok: false, reason: `webgpu unavailable: ${found.error} (${NO_ADAPTER_HINT})` };
      }
      const skip = softwareSkip(found.adapter);
      if (skip) return { ok: true, device: found.adapter.label, autoSkip: skip };
    }
    const { backendInfo } = await import('./index.js');
    return { ok: true, ...backendInfo };
  },
};

export default backend;
