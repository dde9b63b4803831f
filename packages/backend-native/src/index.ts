// Importing the package registers the `native` tfjs backend, or throws one line saying why it
// cannot (the addon was not built: no compiler or OpenBLAS), so that a caller can fall back.
import { loadAddon, type NativeAddon } from './addon.js';
import { BACKEND_NAME } from './kernels/kernel-io.js';
import { nativeKernelNames, registerNativeBackend } from './register.js';

const addon: NativeAddon = loadAddon();
registerNativeBackend(addon);

/** The name the backend is registered under: `tf.setBackend(NATIVE_BACKEND_NAME)`. */
export const NATIVE_BACKEND_NAME = BACKEND_NAME;

/** Kernels that run natively; every other kernel is the cpu backend's. */
export const NATIVE_KERNELS: readonly string[] = nativeKernelNames(addon);

/**
 * Threads the native kernels use (for products, for the addon's pool) and the libraries that
 * multiply: oneDNN for large products where it is installed, OpenBLAS for the rest.
 */
export function nativeThreads(): { readonly blas: number; readonly pool: number; readonly products: string } {
  return addon.threads();
}

/**
 * Which library multiplies: 'auto' (the default: where oneDNN is installed and its kernels use
 * AVX-512, products from 2²⁰ multiply-adds on oneDNN and smaller ones on OpenBLAS; otherwise every
 * product on OpenBLAS, which measured faster without AVX-512), 'openblas' (every product) or
 * 'onednn' (every product). Returns whether oneDNN multiplies from now on (never where it is not
 * installed). For comparing and testing the paths; MERGEBENCH_NATIVE_GEMM sets the same at start.
 */
export function useProducts(choice: 'auto' | 'openblas' | 'onednn'): boolean {
  return addon.useOneDnn(choice);
}

export { FUSED_KERNEL_NAMES } from './kernels/fused.js';

export { NativeBackend } from './native-backend.js';
