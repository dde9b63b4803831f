import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon, UnaryOpName } from '../addon.js';
import { nativeBinary } from './binary.js';
import { allocate, float32Values, output, sizeOf, withFallback } from './kernel-io.js';
import { nativeUnary } from './unary.js';

/**
 * a·b with tfjs's transpose flags over the last two axes, batch axes as the cpu backend treats them
 * (batch index modulo each operand's batch size). Undefined where the cpu backend should answer:
 * other dtypes, empty operands, shapes that do not match.
 */
export function nativeMatMul(
  addon: NativeAddon,
  backend: MathBackendCPU,
  a: TensorInfo | undefined,
  b: TensorInfo | undefined,
  transposeA: boolean,
  transposeB: boolean,
  bias: Float32Array | null = null,
): TensorInfo | undefined {
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  if (a === undefined || b === undefined || aValues === undefined || bValues === undefined) return undefined;
  if (a.shape.length < 2 || b.shape.length < 2) return undefined;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) return undefined;
  let outer: number[];
  try {
    outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  // Only the broadcasts where modulo indexing is a true broadcast (equal batches, or one of 1).
  if (sizeOf(outer) !== batch || (batchA !== batchB && Math.min(batchA, batchB) !== 1)) return undefined;
  if (batch * m * n === 0 || aValues.length === 0 || bValues.length === 0) return undefined;
  if (bias !== null && bias.length !== n) return undefined;
  const out = allocate(addon, backend, batch * m * n);
  addon.batchMatMul(aValues, bValues, out, batchA, batchB, m, n, k, transposeA, transposeB, bias);
  return output(backend, [...outer, m, n], out);
}

/** _FusedMatMul: the product, then the bias, then the activation, as tfjs's fused op defines them. */
function fusedMatMul(
  addon: NativeAddon,
  backend: MathBackendCPU,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: Record<string, unknown>,
): TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = inputs;
  const activation = (attrs.activation as backend_util.Activation | undefined) ?? 'linear';
  const supported = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'];
  if (!supported.includes(activation)) return undefined;
  if (bias !== undefined && float32Values(backend, bias) === undefined) return undefined;
  if (activation === 'prelu' && float32Values(backend, preluActivationWeights) === undefined)
    return undefined;
  // A bias over the last axis ([n], or [1, …, n]) is laid in the output before the product adds to
  // it: one pass fewer. Other shapes are added afterwards with broadcasting.
  const n = attrs.transposeB ? b?.shape.at(-2) : b?.shape.at(-1);
  const rowBias =
    bias !== undefined && bias.shape.at(-1) === n && sizeOf(bias.shape) === n && bias.shape.length <= 2
      ? (float32Values(backend, bias) ?? null)
      : null;
  const product = nativeMatMul(
    addon,
    backend,
    a,
    b,
    Boolean(attrs.transposeA),
    Boolean(attrs.transposeB),
    rowBias,
  );
  if (product === undefined) return undefined;
  const steps: ((x: TensorInfo) => TensorInfo | undefined)[] = [];
  if (bias !== undefined && rowBias === null) steps.push((x) => nativeBinary(addon, backend, 'Add', x, bias));
  if (activation === 'prelu')
    steps.push((x) => nativeBinary(addon, backend, 'Prelu', x, preluActivationWeights));
  else if (activation !== 'linear') {
    const unary: Record<string, UnaryOpName> = {
      relu: 'Relu',
      relu6: 'Relu6',
      elu: 'Elu',
      sigmoid: 'Sigmoid',
      leakyrelu: 'LeakyRelu',
    };
    steps.push((x) =>
      nativeUnary(addon, backend, unary[activation], x, (attrs.leakyreluAlpha as number) ?? 0.2),
    );
  }
  let current = product;
  for (const step of steps) {
    const next = step(current);
    // A bias or prelu weight that does not broadcast onto the product: the cpu backend decides.
    if (
      next === undefined ||
      next.shape.some((d, i) => d !== current.shape[i]) ||
      next.shape.length !== current.shape.length
    ) {
      backend.disposeIntermediateTensorInfo(current);
      if (next !== undefined) backend.disposeIntermediateTensorInfo(next);
      return undefined;
    }
    backend.disposeIntermediateTensorInfo(current);
    current = next;
  }
  return current;
}

export function matMulKernels(addon: NativeAddon): KernelConfig[] {
  return [
    withFallback('BatchMatMul', ({ inputs, backend, attrs }) =>
      nativeMatMul(
        addon,
        backend,
        inputs.a,
        inputs.b,
        Boolean(attrs?.transposeA),
        Boolean(attrs?.transposeB),
      ),
    ),
    withFallback('_FusedMatMul', ({ inputs, backend, attrs }) =>
      fusedMatMul(addon, backend, inputs, attrs ?? {}),
    ),
  ];
}
