import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type NativeAddon, REDUCE_OPS, type ReduceOpName } from '../addon.js';
import { allocate, float32Values, output, sizeOf, withFallback } from './kernel-io.js';
import { nativeTranspose } from './transpose.js';

/** Each reduction kernel and the attribute that names its axes. */
const REDUCE_KERNELS: Readonly<Record<ReduceOpName, string>> = {
  Sum: 'axis',
  Max: 'reductionIndices',
  Min: 'axis',
  Mean: 'axis',
};

/**
 * Reduces a non-empty float32 tensor over `axis`: trailing axes row by row, leading axes column by
 * column, any other set after a native transpose that makes them trailing. Undefined where the cpu
 * backend should answer (other dtypes, empty tensors, no axes, bad axes).
 */
export function nativeReduce(
  addon: NativeAddon,
  backend: MathBackendCPU,
  op: ReduceOpName,
  x: TensorInfo | undefined,
  axis: number | number[] | undefined,
  keepDims: boolean,
): TensorInfo | undefined {
  const values = float32Values(backend, x);
  if (x === undefined || values === undefined || values.length === 0) return undefined;
  let axes: number[];
  try {
    axes = util.parseAxisParam((axis ?? null) as number[], x.shape);
  } catch {
    return undefined;
  }
  const rank = x.shape.length;
  if (axes.length === 0 || new Set(axes).size !== axes.length) return undefined;
  const sorted = [...axes].sort((p, q) => p - q);
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, sorted);
  const reduceSize = sizeOf(reduceShape);
  const outSize = sizeOf(outShape);
  const out = allocate(addon, backend, outSize);
  const trailing = sorted.every((a, i) => a === rank - sorted.length + i);
  const leading = sorted.every((a, i) => a === i);
  if (trailing) {
    addon.reduce(REDUCE_OPS[op], values, out, outSize, reduceSize, false);
  } else if (leading) {
    addon.reduce(REDUCE_OPS[op], values, out, reduceSize, outSize, true);
  } else {
    const permutation = backend_util.getAxesPermutation(sorted, rank) ?? [];
    const permuted = nativeTranspose(addon, backend, x, permutation);
    if (permuted === undefined) return undefined;
    addon.reduce(REDUCE_OPS[op], float32Values(backend, permuted)!, out, outSize, reduceSize, false);
    backend.disposeIntermediateTensorInfo(permuted);
  }
  const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return output(backend, shape, out);
}

export function reduceKernels(addon: NativeAddon): KernelConfig[] {
  return (Object.keys(REDUCE_KERNELS) as ReduceOpName[]).map((name) =>
    withFallback(name, ({ inputs, backend, attrs }) =>
      nativeReduce(
        addon,
        backend,
        name,
        inputs.x,
        attrs?.[REDUCE_KERNELS[name]] as number | number[] | undefined,
        Boolean(attrs?.keepDims),
      ),
    ),
  );
}
