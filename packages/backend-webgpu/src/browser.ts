// The browser entry (`@mergebench/backend-webgpu/browser`): registers the `webgpu` backend, with
// this package's kernels and fault handling, on the page's `navigator.gpu`. Reads are tfjs's own
// (asynchronous `data()`; there is no Dawn to drain synchronously in a page).
import type {} from 'webgpu';
import type { WebGPUAdapterInfo } from './adapter-info.js';
import { registerWebGPU } from './register.js';

export { softwareSkip, type WebGPUAdapterInfo } from './adapter-info.js';
export { BACKEND_NAME as WEBGPU_BACKEND_NAME } from './register.js';

const NO_ADAPTER_HINT =
  'the browser offers no WebGPU adapter: use a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu where it is off), served from https or localhost';

/** Registers `webgpu` on the page's GPU; throws one line (starting `webgpu unavailable:`) when there is none. */
export function registerBrowserWebGPU(
  gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu,
): Promise<WebGPUAdapterInfo> {
  return registerWebGPU(gpu, { errorClass: Error, noAdapterHint: NO_ADAPTER_HINT });
}
