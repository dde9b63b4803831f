import type { BackendValues, DataId, TensorInfo } from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { OutputPool } from './output-pool.js';

/**
 * The cpu backend's storage (tensors stay TypedArrays in its data store) and every kernel of its
 * that is not replaced; the heavy kernels run in the native addon and write into recycled buffers.
 */
export class NativeBackend extends MathBackendCPU {
  readonly #outputs: OutputPool;

  constructor(readonly addon: NativeAddon) {
    super();
    this.#outputs = new OutputPool(addon);
    // The cpu backend advises installing tfjs-node on its first use in Node; this backend is the
    // faster choice already.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A buffer for a native kernel's output of `length` elements, contents undefined. */
  allocFloat32(length: number): Float32Array {
    return this.#outputs.take(length);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const disposed = super.disposeData(dataId, force);
    if (disposed) this.#outputs.give(values);
    return disposed;
  }

  // Values handed out of the backend may be held after their tensor is disposed: never recycled.
  override readSync(dataId: DataId): BackendValues {
    this.#outputs.pin(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  /** Pins inputs' buffers that a cpu kernel's outputs view (a slice, a reshape into a new tensor). */
  pinViews(inputs: readonly (TensorInfo | undefined)[], outputs: readonly TensorInfo[]): void {
    const seen = new Set<ArrayBufferLike>();
    const ids = new Set(inputs.map((input) => input?.dataId));
    for (const input of inputs) {
      const values = input && this.data.get(input.dataId)?.values;
      if (ArrayBuffer.isView(values)) seen.add(values.buffer);
    }
    if (seen.size === 0) return;
    for (const output of outputs) {
      // The same tensor data again (reshape, identity) is reference counted, not a view.
      if (ids.has(output.dataId)) continue;
      const values = this.data.get(output.dataId)?.values;
      if (ArrayBuffer.isView(values) && seen.has(values.buffer)) this.#outputs.pin(values);
    }
  }

  override dispose(): void {
    this.#outputs.clear();
    super.dispose();
  }
}
