import { activationByName, type HfConfig, listNames, MergebenchError } from '@mergebench/core';

/** How a Hugging Face config field is read and checked. */
type FieldKind = 'positive-integer' | 'integer' | 'positive-number' | 'activation' | 'zero';

export type FieldSpecs<T> = { readonly [K in keyof T]: { readonly kind: FieldKind; readonly default: T[K] } };

function fieldError(origin: string, key: string, value: unknown, expected: string): MergebenchError {
  return new MergebenchError(`${origin}: ${key} is ${JSON.stringify(value)}, expected ${expected}`);
}

function checkField(origin: string, key: string, kind: FieldKind, value: unknown): void {
  switch (kind) {
    case 'positive-integer':
      if (!Number.isInteger(value) || (value as number) <= 0)
        throw fieldError(origin, key, value, 'a positive integer');
      return;
    case 'integer':
      if (!Number.isInteger(value)) throw fieldError(origin, key, value, 'an integer');
      return;
    case 'positive-number':
      if (typeof value !== 'number' || !(value > 0))
        throw fieldError(origin, key, value, 'a positive number');
      return;
    case 'zero':
      // Dropout and friends change training only; they are not implemented, so only 0 is accepted.
      if (value !== 0) throw fieldError(origin, key, value, '0 (dropout is not supported)');
      return;
    case 'activation':
      if (typeof value !== 'string') throw fieldError(origin, key, value, 'an activation name');
      try {
        activationByName(value);
      } catch (err) {
        throw new MergebenchError(`${origin}: ${key}: ${(err as Error).message}`);
      }
      return;
  }
}

/**
 * Reads the fields of `specs` from a config object, taking defaults for absent ones (newer
 * transformers save only the fields that differ from the defaults). Other keys of the object are
 * generic Hugging Face settings and are not read.
 */
export function readFields<T>(raw: HfConfig, specs: FieldSpecs<T>, origin: string): T {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs) as [string, { kind: FieldKind; default: unknown }][]) {
    const value = raw[key] === undefined || raw[key] === null ? spec.default : raw[key];
    checkField(origin, key, spec.kind, value);
    out[key] = value;
  }
  return out as T;
}

/** `config` with `overrides` applied; an override of a field that `specs` does not know is an error. */
export function withOverrides<T>(
  raw: HfConfig,
  overrides: Readonly<Record<string, unknown>> | undefined,
  specs: FieldSpecs<T>,
  origin: string,
): HfConfig {
  if (overrides === undefined) return raw;
  const unknown = Object.keys(overrides).filter((key) => !Object.hasOwn(specs, key));
  if (unknown.length > 0) {
    throw new MergebenchError(
      `${origin}: cannot override ${listNames(unknown)}: expected fields among ${listNames(Object.keys(specs), 20)}`,
    );
  }
  return { ...raw, ...overrides };
}
