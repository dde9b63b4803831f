import type { KernelConfig } from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';
import { allocate, float32Values, output, withFallback } from './kernel-io.js';

/** Softmax over the last axis (the only one tfjs's Softmax kernel takes) of a non-empty float32 tensor. */
export function softmaxKernels(addon: NativeAddon): KernelConfig[] {
  return [
    withFallback('Softmax', ({ inputs, backend, attrs }) => {
      const { logits } = inputs;
      const values = float32Values(backend, logits);
      if (logits === undefined || values === undefined || values.length === 0) return undefined;
      const rank = logits.shape.length;
      const dim = attrs?.dim as number;
      if (rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
      const cols = logits.shape[rank - 1];
      const out = allocate(addon, backend, values.length);
      addon.softmax(values, out, values.length / cols, cols);
      return output(backend, [...logits.shape], out);
    }),
  ];
}
