import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BINARY_OPS, type NativeAddon, UNARY_OPS } from '../addon.js';
import { allocate, BACKEND_NAME, cpuKernel, float32Values, output, sizeOf } from './kernel-io.js';
import { nativeMatMul } from './matmul.js';

/**
 * Kernels that tfjs does not have: one pass each for what a transformer composes from several
 * kernels. @mergebench/core's LayerNorm and quick GELU call them by these names where the active
 * backend registers them (and compose tfjs ops elsewhere), with the gradients below.
 */
export const FUSED_KERNEL_NAMES = {
  layerNorm: 'MergebenchLayerNorm',
  layerNormGrad: 'MergebenchLayerNormGrad',
  quickGelu: 'MergebenchQuickGelu',
  quickGeluGrad: 'MergebenchQuickGeluGrad',
  linear: 'MergebenchLinear',
} as const;

/** A float32 tensor's values as a Float32Array (a cpu kernel's output may hold them otherwise). */
function values(
  backend: MathBackendCPU,
  t: TensorInfo | undefined,
  kernel: string,
  name: string,
): Float32Array {
  if (t === undefined || t.dtype !== 'float32')
    throw new Error(`${kernel}: ${name} must be a float32 tensor`);
  const v = float32Values(backend, t);
  return v ?? Float32Array.from(backend.readSync(t.dataId) as ArrayLike<number>);
}

function sameShape(kernel: string, a: TensorInfo, b: TensorInfo, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new Error(`${kernel}: ${what} [${b.shape}] does not match x [${a.shape}]`);
}

type Args = {
  inputs: Record<string, TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs?: Record<string, unknown>;
};

export function fusedKernels(addon: NativeAddon): KernelConfig[] {
  const kernel = (kernelName: string, fn: (args: Args) => TensorInfo | TensorInfo[]): KernelConfig => ({
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: fn as unknown as KernelConfig['kernelFunc'],
  });
  return [
    // { x [..., d], gamma [d], beta [d] }, { eps } → [y like x, mean [rows], rstd [rows]]
    kernel(FUSED_KERNEL_NAMES.layerNorm, ({ inputs, backend, attrs }) => {
      const name = FUSED_KERNEL_NAMES.layerNorm;
      const { x, gamma, beta } = inputs;
      const xv = values(backend, x, name, 'x');
      const gv = values(backend, gamma, name, 'gamma');
      const bv = values(backend, beta, name, 'beta');
      const cols = x!.shape.at(-1) ?? 0;
      if (gv.length !== cols || bv.length !== cols)
        throw new Error(`${name}: gamma and beta must have ${cols} values (x [${x!.shape}])`);
      const rows = cols === 0 ? 0 : xv.length / cols;
      const out = allocate(addon, backend, xv.length);
      const mean = allocate(addon, backend, rows);
      const rstd = allocate(addon, backend, rows);
      if (rows > 0) addon.layerNorm(xv, gv, bv, out, mean, rstd, rows, cols, Number(attrs?.eps));
      return [
        output(backend, [...x!.shape], out),
        output(backend, [rows], mean),
        output(backend, [rows], rstd),
      ];
    }),
    // { x, gamma, dy, mean, rstd } → [dx, dgamma, dbeta]
    kernel(FUSED_KERNEL_NAMES.layerNormGrad, ({ inputs, backend }) => {
      const name = FUSED_KERNEL_NAMES.layerNormGrad;
      const { x, gamma, dy, mean, rstd } = inputs;
      const xv = values(backend, x, name, 'x');
      sameShape(name, x!, dy!, 'dy');
      const cols = x!.shape.at(-1) ?? 0;
      const rows = cols === 0 ? 0 : xv.length / cols;
      const mv = values(backend, mean, name, 'mean');
      const rv = values(backend, rstd, name, 'rstd');
      const gv = values(backend, gamma, name, 'gamma');
      if (mv.length !== rows || rv.length !== rows || gv.length !== cols)
        throw new Error(`${name}: mean, rstd or gamma do not fit x [${x!.shape}]`);
      const dx = allocate(addon, backend, xv.length);
      const dgamma = allocate(addon, backend, cols);
      const dbeta = allocate(addon, backend, cols);
      if (rows > 0)
        addon.layerNormGrad(xv, gv, values(backend, dy, name, 'dy'), mv, rv, dx, dgamma, dbeta, rows, cols);
      else {
        dgamma.fill(0);
        dbeta.fill(0);
      }
      return [
        output(backend, [...x!.shape], dx),
        output(backend, [cols], dgamma),
        output(backend, [cols], dbeta),
      ];
    }),
    kernel(FUSED_KERNEL_NAMES.quickGelu, ({ inputs, backend }) => {
      const { x } = inputs;
      const xv = values(backend, x, FUSED_KERNEL_NAMES.quickGelu, 'x');
      const out = allocate(addon, backend, xv.length);
      if (xv.length > 0) addon.unary(UNARY_OPS.QuickGelu, xv, out, 0);
      return output(backend, [...x!.shape], out);
    }),
    // { x [rows, in], weight [out, in], bias [out] } → x·weightᵀ + bias: the bias laid in the output
    // before the product adds to it, one pass fewer than adding it afterwards.
    kernel(FUSED_KERNEL_NAMES.linear, ({ inputs, backend }) => {
      const name = FUSED_KERNEL_NAMES.linear;
      const { x, weight, bias } = inputs;
      values(backend, x, name, 'x');
      values(backend, weight, name, 'weight');
      const bv = values(backend, bias, name, 'bias');
      const out = weight!.shape[0];
      if (
        x!.shape.length !== 2 ||
        weight!.shape.length !== 2 ||
        x!.shape[1] !== weight!.shape[1] ||
        bv.length !== out
      )
        throw new Error(
          `${name}: expected x [rows, in], weight [out, in] and bias [out], got [${x!.shape}], [${weight!.shape}], [${bias!.shape}]`,
        );
      // Operands the native product does not take (held other than as Float32Arrays): the cpu kernel.
      return (
        nativeMatMul(addon, backend, x, weight, false, true, bv) ??
        (cpuKernel('_FusedMatMul')({
          inputs: { a: x!, b: weight!, bias: bias! },
          backend,
          attrs: { transposeA: false, transposeB: true, activation: 'linear' },
        }) as TensorInfo)
      );
    }),
    // { x, dy } → dy·d/dx[x·σ(1.702x)]
    kernel(FUSED_KERNEL_NAMES.quickGeluGrad, ({ inputs, backend }) => {
      const name = FUSED_KERNEL_NAMES.quickGeluGrad;
      const { x, dy } = inputs;
      const xv = values(backend, x, name, 'x');
      const dv = values(backend, dy, name, 'dy');
      sameShape(name, x!, dy!, 'dy');
      const out = allocate(addon, backend, xv.length);
      if (sizeOf(x!.shape) > 0)
        addon.binary(BINARY_OPS.QuickGeluGrad, xv, x!.shape, dv, dy!.shape, out, [...x!.shape]);
      return output(backend, [...x!.shape], out);
    }),
  ];
}
