import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { allocate, float32Values, output, withFallback } from './kernel-io.js';

/** AddN over float32 tensors of one shape (tfjs's op checks that; the cpu kernel takes the rest). */
export function addNKernels(addon: NativeAddon): KernelConfig[] {
  return [
    withFallback('AddN', ({ inputs, backend }) => {
      const tensors = Object.values(inputs).filter((t): t is TensorInfo => t !== undefined);
      if (tensors.length === 0) return undefined;
      const shape = tensors[0].shape;
      const arrays: Float32Array[] = [];
      for (const t of tensors) {
        const values = float32Values(backend, t);
        if (values === undefined || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
          return undefined;
        arrays.push(values);
      }
      if (arrays[0].length === 0) return undefined;
      const out = allocate(addon, backend, arrays[0].length);
      addon.addN(arrays, out);
      return output(backend, [...shape], out);
    }),
  ];
}
