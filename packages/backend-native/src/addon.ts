import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Operation codes shared with native/kernels.h (the enums' order). */
export const BINARY_OPS = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  Pow: 6,
  SquaredDifference: 7,
  Prelu: 8,
  /** dy·d/dx[x·σ(1.702x)], a = x, b = dy: quick GELU's gradient. */
  QuickGeluGrad: 9,
} as const;
export type BinaryOpName = keyof typeof BINARY_OPS;

export const UNARY_OPS = {
  Exp: 0,
  Log: 1,
  Sqrt: 2,
  Rsqrt: 3,
  Square: 4,
  Neg: 5,
  Abs: 6,
  Sigmoid: 7,
  Tanh: 8,
  Erf: 9,
  Relu: 10,
  Relu6: 11,
  Elu: 12,
  LeakyRelu: 13,
  Reciprocal: 14,
  /** x·σ(1.702x), CLIP's GELU. */
  QuickGelu: 15,
} as const;
export type UnaryOpName = keyof typeof UNARY_OPS;

export const REDUCE_OPS = { Sum: 0, Max: 1, Min: 2, Mean: 3 } as const;
export type ReduceOpName = keyof typeof REDUCE_OPS;

/** The compiled addon's functions (native/addon.cc). Outputs are preallocated by the caller. */
export interface NativeAddon {
  batchMatMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    /** n values added to every row of the output, or null. */
    bias: Float32Array | null,
  ): void;
  binary(
    op: number,
    a: Float32Array,
    aShape: readonly number[],
    b: Float32Array,
    bShape: readonly number[],
    out: Float32Array,
    outShape: readonly number[],
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  reduce(
    op: number,
    x: Float32Array,
    out: Float32Array,
    outer: number,
    inner: number,
    leading: boolean,
  ): void;
  transpose(x: Float32Array, shape: readonly number[], perm: readonly number[], out: Float32Array): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  addN(inputs: readonly Float32Array[], out: Float32Array): void;
  /** Layer norm over the last axis of [rows, cols]; writes out, and each row's mean and 1/std. */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    out: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** Layer norm's gradients dx, dγ, dβ from the forward's mean and 1/std. */
  layerNormGrad(
    x: Float32Array,
    gamma: Float32Array,
    dy: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /**
   * Which library multiplies: 'auto' (oneDNN from 2²⁰ multiply-adds where it is installed and its
   * kernels use AVX-512, OpenBLAS otherwise), 'openblas' or 'onednn' (every product); whether
   * oneDNN now multiplies.
   */
  useOneDnn(choice: 'auto' | 'openblas' | 'onednn'): boolean;
  /** A Float32Array for an output, its contents undefined (kernels write every element). */
  alloc(length: number): Float32Array;
  /** Frees an array alloc() made at once, leaving it empty; for outputs nobody can see any more. */
  release(array: Float32Array): void;
  /** Threads for products and for the pool; `products` names the libraries that multiply. */
  threads(): { blas: number; pool: number; products: string };
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const ADDON_PATH = `${packageRoot}build/Release/backend_native.node`;
const UNAVAILABLE_PATH = `${packageRoot}build/unavailable.txt`;

/** Why the addon is missing, as the install script recorded it. */
function missingReason(): string {
  if (existsSync(UNAVAILABLE_PATH)) return readFileSync(UNAVAILABLE_PATH, 'utf8').trim();
  return 'not built (run `pnpm --filter @mergebench/backend-native build:addon`)';
}

/**
 * Loads the compiled addon. Throws one line saying why when it is missing or cannot load (no
 * OpenBLAS at run time, another platform's binary), so that a caller can fall back.
 */
export function loadAddon(): NativeAddon {
  if (!existsSync(ADDON_PATH)) throw new Error(`native addon unavailable: ${missingReason()}`);
  try {
    return createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`native addon cannot load: ${message}`);
  }
}
