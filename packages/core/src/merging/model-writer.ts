import { check, listNames } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { TensorSink } from './tensor-sink.js';

export interface ModelWriter {
  /** Assigns one merged tensor to the model's parameter or buffer of that name and disposes it. */
  readonly write: TensorSink;
  /** Throws unless every parameter and buffer of the model has been written. */
  finish(): void;
}

/**
 * Writes merged tensors into an existing model's variables in place, key by key, so that a merge
 * never holds a second output model. `what` names the merge in errors, e.g. `method ties`.
 */
export function modelWriter(model: Module, what: string): ModelWriter {
  const expected = new Set(model.stateDict().keys());
  const written = new Set<string>();
  return {
    write: (key, tensor) => {
      try {
        check(
          expected.has(key),
          () => `${what}: merged key '${key}' is not a parameter or buffer of the model`,
        );
        // Checks the shape and converts the dtype; the variable keeps a reference to the data.
        model.loadStateDict(new Map([[key, tensor]]), { strict: false });
        written.add(key);
      } finally {
        tensor.dispose();
      }
    },
    finish: () => {
      const missing = [...expected].filter((key) => !written.has(key));
      check(missing.length === 0, () => `${what}: the merge produced no value for ${listNames(missing, 5)}`);
    },
  };
}
