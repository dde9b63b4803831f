import type { KernelConfig } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import { addNKernels } from './kernels/add-n.js';
import { binaryKernels } from './kernels/binary.js';
import { fusedKernels } from './kernels/fused.js';
import { BACKEND_NAME, pinningViews } from './kernels/kernel-io.js';
import { matMulKernels } from './kernels/matmul.js';
import { reduceKernels } from './kernels/reduce.js';
import { scatterNdKernels } from './kernels/scatter-nd.js';
import { softmaxKernels } from './kernels/softmax.js';
import { transposeKernels } from './kernels/transpose.js';
import { unaryKernels } from './kernels/unary.js';
import { NativeBackend } from './native-backend.js';

/** Above the cpu (1) and wasm (2) backends, below native TensorFlow (tfjs-node, 3). */
const PRIORITY = 2.5;

/** The kernels that run natively, each falling back to the cpu kernel for what it does not take. */
export function nativeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    ...matMulKernels(addon),
    ...binaryKernels(addon),
    ...unaryKernels(addon),
    ...reduceKernels(addon),
    ...transposeKernels(addon),
    ...softmaxKernels(addon),
    ...addNKernels(addon),
    ...scatterNdKernels(addon),
    ...fusedKernels(addon),
  ];
}

/**
 * Registers the `native` backend with tfjs: the cpu backend's kernels, then the native ones over
 * them. Gradients are tfjs's own, registered per kernel name, so they apply unchanged. Idempotent.
 */
export function registerNativeBackend(addon: NativeAddon): void {
  if (tf.findBackendFactory(BACKEND_NAME) !== null) return;
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(addon), PRIORITY);
  const native = nativeKernels(addon);
  const replaced = new Set(native.map((k) => k.kernelName));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!replaced.has(kernel.kernelName))
      tf.registerKernel({
        ...kernel,
        backendName: BACKEND_NAME,
        kernelFunc: pinningViews(kernel.kernelFunc),
      });
  }
  for (const kernel of native) tf.registerKernel(kernel);
}

/** The kernel names that run natively. */
export function nativeKernelNames(addon: NativeAddon): string[] {
  return nativeKernels(addon).map((k) => k.kernelName);
}
