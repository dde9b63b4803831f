// Kernels registered under `webgpu` over tfjs-backend-webgpu's, where its kernel fails for inputs
// the methods give it.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type {} from 'webgpu';

/**
 * AddN: tfjs's kernel binds every input and the output as storage buffers of one shader, so more
 * inputs than the device's maxStorageBuffersPerShaderStage − 1 fail validation (8 is WebGPU's
 * default limit: WEMoE sums 8 task vectors and the pretrained weight). Larger sums run in chunks.
 */
function chunkedAddN(original: KernelFunc, maxInputs: number): KernelFunc {
  const addN: KernelFunc = (args) => {
    const tensors = args.inputs as unknown as TensorInfo[];
    if (tensors.length <= maxInputs) return original(args);
    const partials: TensorInfo[] = [];
    for (let i = 0; i < tensors.length; i += maxInputs) {
      const chunk = tensors.slice(i, i + maxInputs);
      partials.push(
        chunk.length === 1
          ? chunk[0]
          : (addN({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as TensorInfo),
      );
    }
    const sum = addN({ ...args, inputs: partials as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
    for (const [i, partial] of partials.entries()) {
      if (partial !== tensors[i * maxInputs]) (args.backend as tf.KernelBackend).disposeData(partial.dataId);
    }
    return sum;
  };
  return addN;
}

/** Our kernels over tfjs-backend-webgpu's own (registered when that package is imported). */
export function ownKernels(device: GPUDevice): KernelConfig[] {
  const addN = tf.getKernel('AddN', 'webgpu');
  if (!addN) return [];
  const maxInputs = Math.max(2, device.limits.maxStorageBuffersPerShaderStage - 1);
  return [{ ...addN, kernelFunc: chunkedAddN(addN.kernelFunc, maxInputs) }];
}

/** The kernels registered over tfjs-backend-webgpu's. */
export const OWN_KERNELS: readonly string[] = ['AddN'];

let registered = false;

export function registerOwnKernels(device: GPUDevice): void {
  if (registered) return;
  registered = true;
  for (const kernel of ownKernels(device)) {
    tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    tf.registerKernel(kernel);
  }
}
