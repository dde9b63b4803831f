import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon.js';
import type { NativeBackend } from '../native-backend.js';

/** What tfjs hands a kernel function on this backend (the backend is a MathBackendCPU). */
export interface KernelArgs {
  readonly inputs: Record<string, TensorInfo | undefined>;
  readonly backend: MathBackendCPU;
  readonly attrs?: NamedAttrMap;
}

export type NativeKernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

export const BACKEND_NAME = 'native';

/**
 * The cpu backend's own implementation of a kernel: every case the native code does not take
 * (other dtypes, empty tensors, shapes that do not fit) goes there, so that results and errors
 * are the cpu backend's.
 */
export function cpuKernel(kernelName: string): KernelFunc {
  const config = tf.getKernel(kernelName, 'cpu');
  if (config === undefined) throw new Error(`the cpu backend has no kernel ${kernelName}`);
  return config.kernelFunc;
}

/** A kernel that runs `native` where it returns a result and the cpu kernel where it returns undefined. */
export function withFallback(
  kernelName: string,
  native: (args: KernelArgs) => TensorInfo | undefined,
): KernelConfig {
  const cpu = pinningViews(cpuKernel(kernelName));
  const kernelFunc = ((args: KernelArgs) => native(args) ?? cpu(args as never)) as unknown as KernelFunc;
  return { kernelName, backendName: BACKEND_NAME, kernelFunc };
}

/**
 * A cpu kernel that, on the native backend, pins input buffers its outputs view (the cpu backend's
 * slice returns a view of its input), so that they are not recycled while the view lives.
 */
export function pinningViews(kernelFunc: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const result = kernelFunc(args as never);
    const backend = args.backend as unknown as { pinViews?: NativeBackend['pinViews'] };
    if (backend.pinViews !== undefined) {
      backend.pinViews(Object.values(args.inputs), Array.isArray(result) ? result : [result]);
    }
    return result;
  }) as unknown as KernelFunc;
}

/** An output buffer of `length` elements (contents undefined): recycled on the native backend. */
export function allocate(addon: NativeAddon, backend: MathBackendCPU, length: number): Float32Array {
  const allocFloat32 = (backend as unknown as Partial<NativeBackend>).allocFloat32;
  return allocFloat32 !== undefined ? allocFloat32.call(backend, length) : addon.alloc(length);
}

/** The values of a float32 tensor held as a Float32Array, else undefined. */
export function float32Values(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : undefined;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}
