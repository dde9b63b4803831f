// Kernels registered under `webgpu` over tfjs-backend-webgpu's: where it lacks one the methods
// need, or computes one wrongly.

import type { KernelConfig } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

/** Our kernels, each with why it is ours. */
export const OWN_KERNELS: readonly KernelConfig[] = [];

export function registerOwnKernels(): void {
  for (const kernel of OWN_KERNELS) {
    tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    tf.registerKernel(kernel);
  }
}
