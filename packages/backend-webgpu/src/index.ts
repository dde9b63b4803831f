// Importing the package registers the `webgpu` tfjs backend on the first WebGPU adapter Dawn finds
// (Vulkan, Metal or D3D12), or throws one line saying why it cannot, so that a caller can fall back.
import { MergebenchError } from '@mergebench/core';
import { loadDawn, waitForMapping } from './dawn-node.js';
import { BACKEND_NAME, registerWebGPU, type WebGPUAdapterInfo } from './register.js';

const NO_ADAPTER_HINT =
  process.platform === 'linux'
    ? 'Dawn found no Vulkan device: install the GPU’s Vulkan driver, or for a software one Mesa ≥ 25: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1'
    : 'Dawn found no Metal, D3D12 or Vulkan device';

/** The adapter the backend runs on. */
export const WEBGPU_ADAPTER: WebGPUAdapterInfo = await registerWebGPU(await loadDawn(), {
  errorClass: MergebenchError,
  waitForMapping,
  noAdapterHint: NO_ADAPTER_HINT,
});

/** The name the backend is registered under: `tf.setBackend(WEBGPU_BACKEND_NAME)`. */
export const WEBGPU_BACKEND_NAME = BACKEND_NAME;

/**
 * What core's backend selection reads from a backend package: the device for the report, and why
 * `auto` should pass over it (a software adapter is correct but slower than the CPU backends).
 */
export const backendInfo: { readonly device: string; readonly autoSkip?: string } = WEBGPU_ADAPTER.software
  ? {
      device: WEBGPU_ADAPTER.label,
      autoSkip: `only a software adapter, ${WEBGPU_ADAPTER.label} (force it with --backend webgpu)`,
    }
  : { device: WEBGPU_ADAPTER.label };

export { describeGpuError, MergebenchWebGPUBackend, OOM_REMEDY } from './backend.js';
export { OWN_KERNELS } from './kernels.js';
export type { WebGPUAdapterInfo } from './register.js';
