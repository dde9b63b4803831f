import type * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import type { StateDict, TensorInfo, TensorSource } from './types.js';

/**
 * A TensorSource over a state dict already in memory. `read` returns a clone (tfjs clones share
 * data, so this costs no copy) that the caller disposes; the state dict stays owned by whoever
 * made it, and `close` does not dispose it.
 */
export function stateDictSource(sd: StateDict, origin: string): TensorSource {
  let closed = false;
  const tensor = (key: string): tf.Tensor => {
    check(!closed, () => `${origin} was closed: key '${key}' can no longer be read`);
    const t = sd.get(key);
    check(t !== undefined, () => `${origin} has no key '${key}'`);
    return t;
  };
  return {
    origin,
    keys: () => [...sd.keys()],
    info: (key: string): TensorInfo => {
      const t = tensor(key);
      return { shape: t.shape, storedDtype: t.dtype };
    },
    read: async (key: string) => tensor(key).clone(),
    close: async () => {
      closed = true;
    },
  };
}
