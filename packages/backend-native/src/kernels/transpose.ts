import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon.js';
import { allocate, float32Values, output, withFallback } from './kernel-io.js';

/** x with its axes permuted, for a non-empty float32 tensor and a valid permutation; else undefined. */
export function nativeTranspose(
  addon: NativeAddon,
  backend: MathBackendCPU,
  x: TensorInfo | undefined,
  perm: readonly number[],
): TensorInfo | undefined {
  const values = float32Values(backend, x);
  if (x === undefined || values === undefined || values.length === 0) return undefined;
  const rank = x.shape.length;
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => !(p >= 0 && p < rank)))
    return undefined;
  const out = allocate(addon, backend, values.length);
  addon.transpose(values, x.shape, perm, out);
  return output(
    backend,
    perm.map((p) => x.shape[p]),
    out,
  );
}

export function transposeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    withFallback('Transpose', ({ inputs, backend, attrs }) =>
      nativeTranspose(addon, backend, inputs.x, (attrs?.perm as number[]) ?? []),
    ),
  ];
}
