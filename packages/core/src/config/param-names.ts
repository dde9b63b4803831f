import { isDeepStrictEqual } from 'node:util';
import type { ForeignName, ParamSpec } from '../contracts/params.js';
import { check, listNames, MergebenchError } from '../errors.js';
import { isMapping, type Mapping } from './mapping.js';

// Lists in messages are short (a component's parameters, the run keys); show them whole.
const LIST_ALL = 50;

/** Given values under their declared names, and the key each was given as (for messages). */
export interface CanonicalValues {
  readonly values: Mapping;
  /** Declared name → the key the config used for it (the name itself or an alias). */
  readonly givenAs: Readonly<Record<string, string>>;
  /** One line for each deprecated name the config used, naming the parameter's name now. */
  readonly deprecations: readonly string[];
}

export interface CanonicalNameOptions {
  /** Keys kept as they are (a component's `name`, the run's component keys). */
  readonly passThrough?: readonly string[];
  /** Foreign names tied to no single parameter (e.g. another framework's top-level keys). */
  readonly foreign?: Readonly<Record<string, ForeignName>>;
  /** How unknown keys are called in messages: `parameter` or `key`. */
  readonly noun?: string;
}

/**
 * Renames aliases and deprecated names to their parameter's name (each deprecated one noted in
 * `deprecations`). A foreign name with a harmless value is dropped;
 * any other foreign name, two names of one parameter, or an unknown key is an error naming the key.
 */
export function canonicalNames(
  prefix: string,
  given: Mapping,
  specs: readonly ParamSpec[],
  options: CanonicalNameOptions = {},
): CanonicalValues {
  const { passThrough = [], noun = 'parameter' } = options;
  const byName = namesOf(specs);
  const foreign = foreignOf(specs, options.foreign ?? {});
  const values: Mapping = {};
  const givenAs: Record<string, string> = {};
  const deprecations: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (passThrough.includes(key)) {
      values[key] = value;
      continue;
    }
    const spec = Object.hasOwn(byName, key) ? byName[key] : undefined;
    if (spec !== undefined) {
      const earlier = givenAs[spec.name];
      check(
        earlier === undefined,
        () =>
          `${keyPath(prefix, key)}: names the same ${noun} as ${keyPath(prefix, earlier)}; give only one (${spec.name})`,
      );
      givenAs[spec.name] = key;
      values[spec.name] = value;
      if (spec.deprecatedNames?.includes(key)) {
        deprecations.push(
          `${keyPath(prefix, key)} is deprecated: use ${keyPath(prefix, spec.name)} (the same setting)`,
        );
      }
      continue;
    }
    const other = Object.hasOwn(foreign, key) ? foreign[key] : undefined;
    if (other !== undefined) {
      if (accepts(other, value)) continue;
      throw new MergebenchError(
        `${leafPath(keyPath(prefix, key), value)}: not supported here; ${other.hint}`,
      );
    }
    const known = [...passThrough.filter((name) => name !== 'name'), ...specs.map((s) => s.name)];
    throw new MergebenchError(
      `${keyPath(prefix, key)}: unknown ${noun}; known ${noun}s: ${listNames(known, LIST_ALL)}`,
    );
  }
  return { values, givenAs, deprecations };
}

/** Whether `key` is a name, alias or foreign name that `canonicalNames` knows. */
export function isDeclaredName(
  key: string,
  specs: readonly ParamSpec[],
  foreign: Readonly<Record<string, ForeignName>> = {},
): boolean {
  return Object.hasOwn(namesOf(specs), key) || Object.hasOwn(foreignOf(specs, foreign), key);
}

export function keyPath(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function namesOf(specs: readonly ParamSpec[]): Record<string, ParamSpec> {
  const byName: Record<string, ParamSpec> = {};
  for (const spec of specs) {
    for (const name of [spec.name, ...(spec.aliases ?? []), ...(spec.deprecatedNames ?? [])]) {
      // Declarations are the plugin author's, not the user's: a clash is a bug in the plugin.
      if (Object.hasOwn(byName, name)) {
        throw new Error(
          `parameter name ${JSON.stringify(name)} is declared twice (${byName[name].name}, ${spec.name})`,
        );
      }
      byName[name] = spec;
    }
  }
  return byName;
}

function foreignOf(
  specs: readonly ParamSpec[],
  loose: Readonly<Record<string, ForeignName>>,
): Record<string, ForeignName> {
  const all: Record<string, ForeignName> = { ...loose };
  for (const spec of specs) Object.assign(all, spec.foreignNames ?? {});
  return all;
}

function accepts(foreign: ForeignName, value: unknown): boolean {
  if (foreign.accepts === 'any') return true;
  return (foreign.accepts ?? []).some((harmless) => isDeepStrictEqual(harmless, value));
}

/** `fabric.loggers.root_dir` rather than `fabric` when a nested override brought the key in. */
function leafPath(path: string, value: unknown): string {
  if (!isMapping(value)) return path;
  const [first] = Object.entries(value);
  return first === undefined ? path : leafPath(`${path}.${first[0]}`, first[1]);
}
