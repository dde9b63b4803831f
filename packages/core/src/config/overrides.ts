import { isCollection, parseDocument } from 'yaml';
import { MergebenchError } from '../errors.js';
import { errorLine } from './error-line.js';
import { formatValue } from './format-value.js';
import { isMapping, type Mapping, ownValue } from './mapping.js';

/** One command-line `a.b.c=value`: the key path and the value parsed as YAML. */
export interface Override {
  readonly path: readonly string[];
  readonly value: unknown;
}

// Segments may not start with `-`, so a stray `--flag=x` is reported instead of becoming a key.
const KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;
const EXPECTED_FORM = 'expected key=value or a.b.c=value, e.g. method.scaling_factor=0.4';
const EXPECTED_VALUE = "expected a YAML value such as 0.4, true, null, [1, 2], {a: 1} or 'quoted text'";

export function parseOverrides(argv: readonly string[]): Override[] {
  return argv.map(parseOverride);
}

/** Parses `a.b.c=value`; an empty value is YAML's null. */
export function parseOverride(arg: string): Override {
  const equals = arg.indexOf('=');
  if (equals <= 0) throw new MergebenchError(`Invalid override ${JSON.stringify(arg)}: ${EXPECTED_FORM}`);
  const key = arg.slice(0, equals);
  if (!KEY_PATTERN.test(key)) {
    throw new MergebenchError(
      `Invalid override ${JSON.stringify(arg)}: ${JSON.stringify(key)} is not a dotted key; ${EXPECTED_FORM}`,
    );
  }
  return { path: key.split('.'), value: parseValue(arg, arg.slice(equals + 1)) };
}

function parseValue(arg: string, text: string): unknown {
  const invalid = (why: string) =>
    new MergebenchError(`Invalid override ${JSON.stringify(arg)}: ${why}; ${EXPECTED_VALUE}`);
  const document = parseScopedNames(text);
  // Warnings (an unknown `!tag`) would silently change the value, so they count as errors too.
  const [problem] = [...document.errors, ...document.warnings];
  if (problem) throw invalid(`bad YAML value (${errorLine(problem)})`);
  // Block collections (`a: b`, `- x`) are almost always unquoted text, not an intended structure.
  if (isCollection(document.contents) && !document.contents.flow) {
    throw invalid(`${JSON.stringify(text)} is not a single value`);
  }
  try {
    return document.toJS();
  } catch (error) {
    // e.g. an alias (`*x`) without its anchor
    throw invalid(`bad YAML value (${errorLine(error)})`);
  }
}

// YAML reserves `@` at the start of a plain value, but npm scopes begin with it: a word such as
// `@scope/pkg` (alone, or in a flow list or mapping) is read as quoted text instead of refused.
const SCOPED_WORD = /(^|[[{,:]\s*)(@[^\s,[\]{}'"]+)/g;

function parseScopedNames(text: string): ReturnType<typeof parseDocument> {
  const document = parseDocument(text);
  if (!document.errors.some((e) => e.code === 'BAD_SCALAR_START')) return document;
  const quoted = parseDocument(
    text.replace(SCOPED_WORD, (_m, before, word) => before + JSON.stringify(word)),
  );
  return quoted.errors.length === 0 ? quoted : document;
}

/** The config with every override set in turn; objects on the way are created, the input is not changed. */
export function applyOverrides(config: Mapping, overrides: readonly Override[]): Mapping {
  return overrides.reduce<Mapping>((current, override) => setPath(current, override, 0), config);
}

function setPath(target: Mapping, override: Override, depth: number): Mapping {
  const key = override.path[depth];
  if (depth === override.path.length - 1) return { ...target, [key]: override.value };
  const under = ownValue(target, key);
  if (under !== undefined && under !== null && !isMapping(under)) {
    const at = override.path.slice(0, depth + 1).join('.');
    throw new MergebenchError(
      `Cannot set ${override.path.join('.')}: ${at} is ${formatValue(under)}, not a mapping of keys`,
    );
  }
  return { ...target, [key]: setPath(isMapping(under) ? under : {}, override, depth + 1) };
}
