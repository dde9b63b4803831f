import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type NativeAddon, UNARY_OPS, type UnaryOpName } from '../addon.js';
import { allocate, float32Values, output, sizeOf, withFallback } from './kernel-io.js';

/** f(x) elementwise for a non-empty float32 tensor; undefined otherwise. */
export function nativeUnary(
  addon: NativeAddon,
  backend: MathBackendCPU,
  op: UnaryOpName,
  x: TensorInfo | undefined,
  alpha = 0,
): TensorInfo | undefined {
  const values = float32Values(backend, x);
  if (x === undefined || values === undefined || sizeOf(x.shape) === 0) return undefined;
  const out = allocate(addon, backend, values.length);
  addon.unary(UNARY_OPS[op], values, out, alpha);
  return output(backend, [...x.shape], out);
}

export function unaryKernels(addon: NativeAddon): KernelConfig[] {
  // QuickGelu is no tfjs kernel: fused.ts registers it under its own name.
  const names = (Object.keys(UNARY_OPS) as UnaryOpName[]).filter((name) => name !== 'QuickGelu');
  return names.map((name) =>
    withFallback(name, ({ inputs, backend, attrs }) =>
      nativeUnary(addon, backend, name, inputs.x, name === 'LeakyRelu' ? (attrs?.alpha as number) : 0),
    ),
  );
}
