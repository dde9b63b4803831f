import type { NativeAddon } from './addon.js';

/** Bytes of freed outputs kept for reuse at most. */
const DEFAULT_CAPACITY = 1 << 30;

/**
 * Output buffers of the native kernels, recycled when their tensor is disposed. Fresh memory costs
 * a page fault per 4 KiB on first touch, which dominates elementwise kernels (and is very slow in
 * sandboxed kernels); tensors of a training step have the same sizes step after step, so freed
 * outputs are handed to the next kernel that asks for that many elements.
 *
 * Only buffers this pool allocated and that nobody else can see are recycled, or, past the pool's
 * capacity, freed at once: a buffer whose values were read out (`dataSync`, `data`) or that another
 * tensor views (a cpu kernel's `slice` returns a view of its input) is pinned and left to the
 * garbage collector.
 */
export class OutputPool {
  readonly #free = new Map<number, Float32Array[]>();
  readonly #owned = new WeakSet<ArrayBufferLike>();
  readonly #pinned = new WeakSet<ArrayBufferLike>();
  readonly #waiting = new WeakSet<ArrayBufferLike>();
  #bytes = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** An array of `length` elements, contents undefined. */
  take(length: number): Float32Array {
    const reused = this.#free.get(length)?.pop();
    if (reused !== undefined) {
      this.#waiting.delete(reused.buffer);
      this.#bytes -= reused.byteLength;
      return reused;
    }
    const fresh = this.addon.alloc(length);
    this.#owned.add(fresh.buffer);
    return fresh;
  }

  /** Keeps a disposed tensor's values for reuse when they are a whole buffer of ours, unseen. */
  give(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const buffer = values.buffer;
    if (!this.#owned.has(buffer) || this.#pinned.has(buffer) || this.#waiting.has(buffer)) return;
    if (values.byteOffset !== 0 || values.byteLength !== buffer.byteLength || values.length === 0) return;
    if (this.#bytes + values.byteLength > this.capacity) {
      // Left to the garbage collector, its memory would come back only after the current
      // (synchronous) pass ends: many passes' worth of outputs exceed the pool.
      this.addon.release(values);
      return;
    }
    // Listed once: disposing a buffer twice must not hand it to two tensors.
    this.#waiting.add(buffer);
    const list = this.#free.get(values.length) ?? [];
    list.push(values);
    this.#free.set(values.length, list);
    this.#bytes += values.byteLength;
  }

  /** Marks values as seen outside the backend: they are never recycled. */
  pin(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.#pinned.add(values.buffer);
  }

  clear(): void {
    this.#free.clear();
    this.#bytes = 0;
  }
}
