// tfjs's WebGPU backend with what mergebench needs on top: `dataSync()` in Node (a synchronous
// mapping through Dawn), and device loss, out-of-memory and validation faults turned into one
// clear error that every later kernel and read throws, instead of silently wrong numbers.

import type { BackendValues, DataId, DataType, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type {} from 'webgpu';

/** What the backend throws for a fault: mergebench's MergebenchError in Node, Error elsewhere. */
export type ErrorClass = new (message: string) => Error;

/** Synchronous mapping of a buffer (Node); absent in browsers, which use tfjs's own readSync. */
export type WaitForMapping = (buffer: GPUBuffer) => void;

/** The remedy named by every out-of-memory error. */
export const OOM_REMEDY = 'lower the batch size (batch_size) or set micro_batch_size to split each batch';

/** Members of tfjs's WebGPUBackend that TypeScript declares private. */
interface Internals {
  convertAndCacheOnCPU(dataId: DataId, values: BackendValues): BackendValues;
}

interface TensorData {
  values: BackendValues | null;
  dtype: DataType;
  shape: number[];
  resource: GPUBuffer | GPUTexture | null;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  );
}

const MB = 1e6;

/** Describes a WebGPU error as one line; `oom` when a smaller batch is the remedy. */
export function describeGpuError(error: GPUError): { message: string; oom: boolean } {
  const text = firstLine(error.message);
  const isOom = typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError;
  if (isOom) return { message: `webgpu: the GPU ran out of memory (${text}); ${OOM_REMEDY}`, oom: true };
  // Limits on one buffer or one binding: a tensor too large for this GPU, out of memory in effect.
  const binding = /size \((\d+)\).*larger than the maximum storage buffer binding size \((\d+)\)/i.exec(text);
  const buffer = /size \((\d+)\).*exceeds the max(?:imum)? buffer size(?: limit)? \((\d+)\)/i.exec(text);
  const over = binding ?? buffer;
  if (over) {
    const [need, limit] = [Number(over[1]) / MB, Number(over[2]) / MB];
    return {
      message: `webgpu: out of GPU memory: a tensor of ${need.toFixed(1)} MB is larger than this GPU allows in one ${binding ? 'binding' : 'buffer'} (${limit.toFixed(1)} MB); ${OOM_REMEDY}`,
      oom: true,
    };
  }
  return { message: `webgpu: the GPU reported an error: ${text}`, oom: false };
}

/**
 * The first fault of a device: set by its device-lost promise and uncaptured-error events, read
 * by every backend instance on it (tfjs may create several over a process's life).
 */
export class DeviceFaults {
  private first: Error | undefined;
  private disposing = false;

  constructor(
    device: GPUDevice,
    private readonly errorClass: ErrorClass,
  ) {
    device.lost.then((info) => {
      if (this.disposing) return;
      const detail = firstLine(info.message || 'no details');
      this.record(
        `webgpu: the GPU device was lost (${info.reason ?? 'unknown'}: ${detail}); the run stopped, its last saved training state is kept`,
      );
    });
    device.onuncapturederror = (event) => this.record(describeGpuError(event.error).message);
  }

  record(message: string): void {
    this.first ??= new this.errorClass(message);
  }

  /** Throws the first fault, if any. */
  check(): void {
    if (this.first) throw this.first;
  }

  /** A read failed without an error event: the device is gone. */
  readFailed(): Error {
    return (
      this.first ??
      new this.errorClass(
        'webgpu: the GPU device was lost (reading a tensor back failed); the run stopped, its last saved training state is kept',
      )
    );
  }

  /** The device is being destroyed on purpose: its loss is no fault. */
  expectLoss(): void {
    this.disposing = true;
  }

  get errorType(): ErrorClass {
    return this.errorClass;
  }
}

export class MergebenchWebGPUBackend extends WebGPUBackend {
  constructor(
    device: GPUDevice,
    adapterInfo: GPUAdapterInfo | undefined,
    readonly faults: DeviceFaults,
    private readonly waitForMapping?: WaitForMapping,
  ) {
    super(device, adapterInfo);
  }

  /** Throws the device's fault, if any. */
  checkFault(): void {
    this.faults.check();
  }

  override runWebGPUProgram(...args: Parameters<WebGPUBackend['runWebGPUProgram']>): TensorInfo {
    this.checkFault();
    return super.runWebGPUProgram(...args);
  }

  override async read(dataId: object): Promise<BackendValues> {
    this.checkFault();
    let values: BackendValues;
    try {
      values = await super.read(dataId);
    } catch (error) {
      // A device destroyed while the read's mapping was pending rejects it with Dawn's AbortError,
      // sometimes before the device-lost promise has settled: it is the loss, said in one line.
      if (error instanceof Error && error.name === 'AbortError') throw this.faults.readFailed();
      throw error;
    }
    this.checkFault();
    return values;
  }

  override readSync(dataId: object): BackendValues {
    this.checkFault();
    const data = this.tensorMap.get(dataId) as unknown as TensorData;
    const wait = this.waitForMapping;
    if (
      wait === undefined ||
      data.values != null ||
      data.dtype === 'string' ||
      data.dtype === 'complex64' ||
      !(data.resource instanceof GPUBuffer)
    ) {
      return super.readSync(dataId);
    }
    const buffer = data.resource;
    const size = buffer.size;
    const staging = this.bufferManager.acquireBuffer(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    (this as unknown as { commandEncoder: GPUCommandEncoder }).commandEncoder.copyBufferToBuffer(
      buffer,
      0,
      staging,
      0,
      size,
    );
    this.submitQueue();
    staging.mapAsync(GPUMapMode.READ).catch(() => {
      // A failed mapping is reported below, from the buffer's state and the recorded fault.
    });
    wait(staging);
    if (staging.mapState !== 'mapped') throw this.faults.readFailed();
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    // Errors of earlier commands are delivered while the mapping waits: the values may be wrong.
    this.checkFault();
    const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype);
    return (this as unknown as Internals).convertAndCacheOnCPU(dataId, values);
  }
}
