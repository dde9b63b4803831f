// Requests a WebGPU adapter and device and registers the `webgpu` tfjs backend on them, with
// tfjs-backend-webgpu's kernels (registered under `webgpu` when that package is imported) and
// ours over them (kernels.ts).

import * as tf from '@tensorflow/tfjs';
import type {} from 'webgpu';
import '@tensorflow/tfjs-backend-webgpu';
import { adapterInfo, type WebGPUAdapterInfo } from './adapter-info.js';
import { DeviceFaults, type ErrorClass, MergebenchWebGPUBackend, type WaitForMapping } from './backend.js';
import { registerOwnKernels } from './kernels.js';

export type { WebGPUAdapterInfo } from './adapter-info.js';

export const BACKEND_NAME = 'webgpu';

/** Above native TensorFlow (3) on a GPU; below the cpu backend (1) on a software adapter. */
export const GPU_PRIORITY = 4;
export const SOFTWARE_PRIORITY = 0.5;

export interface RegisterOptions {
  readonly errorClass: ErrorClass;
  readonly waitForMapping?: WaitForMapping;
  /** What to tell the user when there is no adapter (how to install a driver here). */
  readonly noAdapterHint: string;
}

/**
 * Requests the adapter and a device with the limits tfjs's backend asks for, and registers the
 * backend. Throws one line when there is no adapter or no device.
 */
export async function registerWebGPU(
  gpu: GPU | undefined,
  options: RegisterOptions,
): Promise<WebGPUAdapterInfo> {
  if (gpu === undefined) throw new Error(`webgpu unavailable: no navigator.gpu (${options.noAdapterHint})`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error(`webgpu unavailable: no WebGPU adapter (${options.noAdapterHint})`);
  const info = adapterInfo(adapter);
  const limits = adapter.limits;
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        // tfjs binds every input of a kernel as a storage buffer: as many as the adapter allows.
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      },
    });
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`webgpu unavailable: the adapter ${info.label} gave no device (${why})`);
  }
  // tfjs-backend-webgpu registers its own factory where navigator.gpu existed at its import (browsers).
  if (tf.findBackendFactory(BACKEND_NAME) !== null) tf.removeBackend(BACKEND_NAME);
  const faults = new DeviceFaults(device, options.errorClass);
  tf.registerBackend(
    BACKEND_NAME,
    () => new MergebenchWebGPUBackend(device, adapter.info, faults, options.waitForMapping),
    info.software ? SOFTWARE_PRIORITY : GPU_PRIORITY,
  );
  registerOwnKernels(device);
  return info;
}
