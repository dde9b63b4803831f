// Importing the package registers the `webgpu` tfjs backend on the first WebGPU adapter Dawn finds
// (Vulkan, Metal or D3D12), or throws one line saying why it cannot, so that a caller can fall back.
import { MergebenchError } from '@mergebench/core';
import { softwareSkip } from './adapter-info.js';
import { loadDawn, NO_ADAPTER_HINT, waitForMapping } from './dawn-node.js';
import { BACKEND_NAME, registerWebGPU, type WebGPUAdapterInfo } from './register.js';

/** The adapter the backend runs on. */
export const WEBGPU_ADAPTER: WebGPUAdapterInfo = await registerWebGPU(await loadDawn(), {
  errorClass: MergebenchError,
  waitForMapping,
  noAdapterHint: NO_ADAPTER_HINT,
});

/** The name the backend is registered under: `tf.setBackend(WEBGPU_BACKEND_NAME)`. */
export const WEBGPU_BACKEND_NAME = BACKEND_NAME;

/**
 * The device for the report, and why `auto` should pass over it (a software adapter is correct
 * but slower than the CPU backends), as the `mergebench-backend` entry's probe tells core.
 */
export const backendInfo: { readonly device: string; readonly autoSkip?: string } = {
  device: WEBGPU_ADAPTER.label,
  ...(WEBGPU_ADAPTER.software ? { autoSkip: softwareSkip(WEBGPU_ADAPTER) } : {}),
};

export { describeGpuError, MergebenchWebGPUBackend, OOM_REMEDY } from './backend.js';
export { OWN_KERNELS } from './kernels.js';
export type { WebGPUAdapterInfo } from './register.js';
