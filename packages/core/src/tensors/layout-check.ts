import { check, listNames } from '../errors.js';

/** The keys and shapes of one model, whether its tensors are in memory or still on disk. */
export interface ModelLayout {
  /** How error messages refer to the model. */
  readonly name: string;
  readonly keys: readonly string[];
  shape(key: string): readonly number[];
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * Throws a MergebenchError unless every model has the first model's keys with the same shapes.
 * With `keys`, every model must have those keys (other keys are ignored); without, the key sets
 * must be equal.
 */
export function assertSameLayout(models: readonly ModelLayout[], keys?: readonly string[]): void {
  check(models.length > 0, 'no models given: at least one is needed');
  const [reference, ...others] = models;
  if (keys) {
    for (const model of models) {
      const present = new Set(model.keys);
      const missing = keys.filter((key) => !present.has(key));
      check(missing.length === 0, () => `model '${model.name}' lacks requested keys: ${listNames(missing)}`);
    }
  } else {
    const expected = new Set(reference.keys);
    for (const model of others) {
      const present = new Set(model.keys);
      const missing = reference.keys.filter((key) => !present.has(key));
      const unexpected = model.keys.filter((key) => !expected.has(key));
      check(missing.length === 0 && unexpected.length === 0, () => {
        const parts = [
          missing.length > 0 ? `missing keys ${listNames(missing, 5)}` : '',
          unexpected.length > 0 ? `unexpected keys ${listNames(unexpected, 5)}` : '',
        ].filter(Boolean);
        return `model '${model.name}' does not have the keys of '${reference.name}': ${parts.join('; ')}`;
      });
    }
  }
  for (const key of keys ?? reference.keys) {
    const expected = reference.shape(key);
    for (const model of others) {
      const actual = model.shape(key);
      check(
        sameShape(actual, expected),
        () =>
          `model '${model.name}': key '${key}' has shape ${formatShape(actual)}, ` +
          `expected ${formatShape(expected)} as in '${reference.name}'`,
      );
    }
  }
}
