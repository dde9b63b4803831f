import type { KernelConfig } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { allocate, float32Values, output, withFallback } from './kernel-io.js';

/**
 * ScatterNd of float32 updates at int32 indices into zeros, duplicates summed, as the cpu kernel
 * does, in one pass over a recycled buffer. The cpu kernel allocates a fresh output and an array
 * per index, about ten times slower at E-WEMoE's sizes, where sparse task vectors are scattered
 * dense in every forward and backward pass. Any index out of range goes to the cpu kernel, so
 * that its error is the cpu backend's.
 */
export function scatterNdKernels(addon: NativeAddon): KernelConfig[] {
  return [
    withFallback('ScatterNd', ({ inputs, backend, attrs }) => {
      const { indices, updates } = inputs;
      const values = float32Values(backend, updates);
      if (indices === undefined || updates === undefined || values === undefined || indices.dtype !== 'int32')
        return undefined;
      const positions = backend.data.get(indices.dataId)?.values;
      if (!(positions instanceof Int32Array)) return undefined;
      const shape = attrs?.shape as number[];
      const { sliceRank, numUpdates, sliceSize, strides, outputSize } = tf.backend_util.calculateShapes(
        updates,
        indices,
        shape,
      );
      if (outputSize === 0 || updates.shape.length === 0) return undefined;
      const slices = outputSize / sliceSize;
      const starts = new Int32Array(numUpdates);
      for (let i = 0; i < numUpdates; i++) {
        let slice = 0;
        for (let j = 0; j < sliceRank; j++) slice += positions[i * sliceRank + j] * strides[j];
        if (slice < 0 || slice >= slices) return undefined;
        starts[i] = slice * sliceSize;
      }
      const out = allocate(addon, backend, outputSize);
      out.fill(0);
      if (sliceSize === 1) {
        for (let i = 0; i < numUpdates; i++) out[starts[i]] += values[i];
      } else {
        for (let i = 0; i < numUpdates; i++) {
          const start = starts[i];
          const from = i * sliceSize;
          for (let k = 0; k < sliceSize; k++) out[start + k] += values[from + k];
        }
      }
      return output(backend, [...shape], out);
    }),
  ];
}
