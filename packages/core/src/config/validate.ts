import type { ComponentKind } from '../contracts/component.js';
import { COMPONENT_KINDS } from '../contracts/component.js';
import type { ParamSpec, ParamType, ParamValues } from '../contracts/params.js';
import { check, listNames, MergebenchError } from '../errors.js';
import { FOREIGN_RUN_KEYS } from './foreign-run-keys.js';
import { formatValue } from './format-value.js';
import { isMapping, type Mapping, ownValue } from './mapping.js';
import { canonicalNames, keyPath } from './param-names.js';
import { type ComponentConfig, RUN_CONFIG_KEYS, RUN_SETTING_SPECS, type RunConfig } from './run-config.js';

// Lists in messages are short (a component's parameters, the run keys); show them whole.
const LIST_ALL = 50;

/** Where a config's deprecation warnings go by default: one `warning:` line each on stderr. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * Checks a component's parameters against its declaration and fills the defaults. `prefix` (e.g.
 * `method`) names the keys in messages. `name` selects the component and is passed through.
 * The result holds `name` (when given) and then every declared parameter in declaration order.
 * A deprecated parameter name is accepted, with one line to `warn` naming the name now.
 */
export function validateParams(
  prefix: string,
  values: unknown,
  specs: readonly ParamSpec[],
  warn: (message: string) => void = warnOnStderr,
): ParamValues {
  const given = values ?? {};
  check(
    isMapping(given),
    () => `${prefix || 'parameters'}: expected a mapping of parameters, got ${formatValue(given)}`,
  );
  // Aliases become declared names here, so components and reports only ever see those.
  const canonical = canonicalNames(prefix, given, specs, { passThrough: ['name'] });
  for (const line of canonical.deprecations) warn(line);
  const validated: ParamValues = {};
  if (Object.hasOwn(canonical.values, 'name')) validated.name = canonical.values.name;
  for (const spec of specs) {
    const key = keyPath(prefix, canonical.givenAs[spec.name] ?? spec.name);
    validated[spec.name] = valueOrDefault(key, canonical.values, spec);
  }
  return validated;
}

/** Checks a composed config's top-level keys and fills the run settings' defaults. */
export function validateRunConfig(config: unknown): RunConfig {
  check(
    isMapping(config),
    () =>
      `Run config: expected a mapping of ${listNames(RUN_CONFIG_KEYS, LIST_ALL)}, got ${formatValue(config)}`,
  );
  const canonical = canonicalNames('', config, RUN_SETTING_SPECS, {
    passThrough: COMPONENT_KINDS,
    foreign: FOREIGN_RUN_KEYS,
    noun: 'key',
  });
  const components = Object.fromEntries(
    COMPONENT_KINDS.map((kind) => [kind, checkComponent(kind, ownValue(canonical.values, kind))]),
  );
  const settings = Object.fromEntries(
    RUN_SETTING_SPECS.map((spec) => [
      spec.name,
      valueOrDefault(canonical.givenAs[spec.name] ?? spec.name, canonical.values, spec),
    ]),
  );
  // Each key was checked against its spec above, which is what RunConfig declares.
  return { ...components, ...settings } as unknown as RunConfig;
}

function checkComponent(kind: ComponentKind, value: unknown): ComponentConfig {
  check(
    value !== undefined && value !== null,
    `${kind}: missing; expected a component, e.g. ${kind}=<name> on the command line or ${kind}: { name: <name> } in the config file`,
  );
  check(
    isMapping(value),
    () => `${kind}: expected a preset name or a mapping with the component's name, got ${formatValue(value)}`,
  );
  const { name, ...params } = value;
  check(name !== undefined, `${kind}.name: missing; expected the ${kind} component's name`);
  check(
    typeof name === 'string' && name !== '',
    () =>
      `${kind}.name: expected the ${kind} component's name (a non-empty string), got ${formatValue(name)}`,
  );
  return { name, ...params };
}

function valueOrDefault(key: string, given: Mapping, spec: ParamSpec): unknown {
  const value = ownValue(given, spec.name);
  if (value !== undefined) return checkValue(key, value, spec);
  if (spec.default === undefined) {
    throw new MergebenchError(`${key}: missing required parameter; expected ${expectation(spec)}`);
  }
  // Defaults are shared by every run; a copy keeps one run from changing another's.
  return typeof spec.default === 'object' && spec.default !== null
    ? structuredClone(spec.default)
    : spec.default;
}

function checkValue(key: string, value: unknown, spec: ParamSpec): unknown {
  if (value === null && spec.nullable) return null;
  const fail = (): MergebenchError =>
    new MergebenchError(`${key}: expected ${expectation(spec)}, got ${formatValue(value)}`);
  if (typeof spec.type !== 'string') {
    for (const type of spec.type) {
      try {
        return checkValue(key, value, { ...spec, type, nullable: false });
      } catch (error) {
        if (!(error instanceof MergebenchError)) throw error;
      }
    }
    throw fail();
  }
  switch (spec.type) {
    case 'number':
    case 'integer':
    case 'string':
    case 'boolean':
      if (!isScalarOf(value, spec)) throw fail();
      return value;
    case 'number[]':
    case 'string[]': {
      if (!Array.isArray(value)) throw fail();
      const element: ParamSpec = {
        ...spec,
        type: spec.type === 'number[]' ? 'number' : 'string',
        nullable: false,
      };
      return value.map((item, index) => checkValue(`${key}[${index}]`, item, element));
    }
    case 'record':
      if (!isMapping(value)) throw fail();
      return value;
  }
}

function isScalarOf(value: unknown, spec: ParamSpec): boolean {
  switch (spec.type) {
    case 'number':
    case 'integer':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) && // NaN and ±Infinity (e.g. 1e309) fail here, naming the key
        (spec.type === 'number' || Number.isSafeInteger(value)) &&
        inRange(value, spec) &&
        (spec.choices === undefined || spec.choices.includes(value))
      );
    case 'string':
      return typeof value === 'string' && (spec.choices === undefined || spec.choices.includes(value));
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

function inRange(value: number, spec: ParamSpec): boolean {
  return (
    (spec.min === undefined || value >= spec.min) &&
    (spec.max === undefined || value <= spec.max) &&
    (spec.exclusiveMin === undefined || value > spec.exclusiveMin)
  );
}

/** What a parameter accepts, in words: `a number in (0, 100]`, `"sum" or "mean"`, … */
function expectation(spec: ParamSpec): string {
  if (typeof spec.type !== 'string') {
    const base = spec.type.map((type) => expectation({ ...spec, type, nullable: false })).join(' or ');
    return spec.nullable ? `${base} or null` : base;
  }
  // On a list type the choices apply to the elements, whose own messages name them.
  const isList = spec.type === 'number[]' || spec.type === 'string[]';
  const base = spec.choices && !isList ? choicesText(spec.choices) : typeText(spec.type, spec);
  return spec.nullable ? `${base} or null` : base;
}

function typeText(type: ParamType, spec: ParamSpec): string {
  switch (type) {
    case 'number':
      return `a number${rangeText(spec)}`;
    case 'integer':
      return `an integer${rangeText(spec)}`;
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'number[]':
      return `a list of numbers${rangeText(spec)}`;
    case 'string[]':
      return 'a list of strings';
    case 'record':
      return 'a mapping of names to values';
  }
}

function rangeText(spec: ParamSpec): string {
  const lower =
    spec.exclusiveMin !== undefined
      ? `(${spec.exclusiveMin}`
      : spec.min !== undefined
        ? `[${spec.min}`
        : undefined;
  const upper = spec.max !== undefined ? `${spec.max}]` : undefined;
  if (lower !== undefined && upper !== undefined) return ` in ${lower}, ${upper}`;
  if (spec.exclusiveMin !== undefined) return ` > ${spec.exclusiveMin}`;
  if (spec.min !== undefined) return ` >= ${spec.min}`;
  if (spec.max !== undefined) return ` <= ${spec.max}`;
  return '';
}

function choicesText(choices: readonly (string | number)[]): string {
  const shown = choices.map((choice) => formatValue(choice));
  if (shown.length === 1) return shown[0];
  const last = shown.pop();
  return `${shown.length > 1 ? 'one of ' : ''}${shown.join(', ')} or ${last}`;
}
