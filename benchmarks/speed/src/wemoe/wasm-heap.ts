import * as tf from '@tensorflow/tfjs';

/**
 * Bytes of the wasm backend's heap: it grows to the largest set of tensors alive at once and
 * never shrinks, so after a step it is the step's peak. Undefined on other backends.
 */
export function wasmHeapBytes(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength;
}
