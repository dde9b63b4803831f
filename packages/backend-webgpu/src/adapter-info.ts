// What an adapter is, in one line for logs and reports, and whether it is a software one. Kept
// free of tfjs so that a probe can load it alone.

import type {} from 'webgpu';
/** The adapter the backend runs on. */
export interface WebGPUAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (e.g. Mesa's llvmpipe, SwiftShader): correct, but slower than the CPU backends. */
  readonly software: boolean;
  /** One line for logs and reports, e.g. `NVIDIA H100 80GB HBM3` or `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) (software)`. */
  readonly label: string;
}

export function adapterInfo(adapter: GPUAdapter): WebGPUAdapterInfo {
  const info = adapter.info;
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software =
    fallback ||
    architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|software|microsoft basic render/i.test(`${description} ${device}`);
  const name =
    description ||
    [vendor, architecture, device].filter((part) => part !== '').join(' ') ||
    'unknown adapter';
  const label = software && !/software/i.test(name) ? `${name} (software)` : name;
  return { vendor, architecture, device, description, software, label };
}

/** Why `auto` passes over a software adapter (correct, but slower than the CPU backends). */
export function softwareSkip(info: WebGPUAdapterInfo): string | undefined {
  return info.software
    ? `only a software adapter, ${info.label} (force it with --backend webgpu)`
    : undefined;
}
