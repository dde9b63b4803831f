import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BINARY_OPS, type BinaryOpName, type NativeAddon } from '../addon.js';
import { allocate, float32Values, output, sizeOf, withFallback } from './kernel-io.js';

/** tfjs's kernel names and the names of their two inputs (QuickGeluGrad is a fused kernel's: fused.ts). */
const BINARY_KERNELS: Readonly<Record<Exclude<BinaryOpName, 'QuickGeluGrad'>, readonly [string, string]>> = {
  Add: ['a', 'b'],
  Sub: ['a', 'b'],
  Multiply: ['a', 'b'],
  RealDiv: ['a', 'b'],
  Maximum: ['a', 'b'],
  Minimum: ['a', 'b'],
  Pow: ['a', 'b'],
  SquaredDifference: ['a', 'b'],
  Prelu: ['x', 'alpha'],
};

/** a ∘ b for two non-empty float32 tensors whose shapes broadcast; undefined otherwise. */
export function nativeBinary(
  addon: NativeAddon,
  backend: MathBackendCPU,
  op: BinaryOpName,
  a: TensorInfo | undefined,
  b: TensorInfo | undefined,
): TensorInfo | undefined {
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  if (a === undefined || b === undefined || aValues === undefined || bValues === undefined) return undefined;
  let shape: number[];
  try {
    shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  } catch {
    return undefined;
  }
  const size = sizeOf(shape);
  if (size === 0) return undefined;
  const out = allocate(addon, backend, size);
  addon.binary(BINARY_OPS[op], aValues, a.shape, bValues, b.shape, out, shape);
  return output(backend, shape, out);
}

export function binaryKernels(addon: NativeAddon): KernelConfig[] {
  return Object.entries(BINARY_KERNELS).map(([name, [left, right]]) =>
    withFallback(name, ({ inputs, backend }) =>
      nativeBinary(addon, backend, name as BinaryOpName, inputs[left], inputs[right]),
    ),
  );
}
