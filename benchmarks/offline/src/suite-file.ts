import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { parse } from 'yaml';

/**
 * One run of a suite: a method preset with overrides, on the suite's model and task pools (the
 * offline zoo's unless the suite names others) unless the run names others. A per-task run is done once per task, `{task}` standing for the task.
 */
export interface SuiteRun {
  /** Unique in the suite; a sweep's runs are labelled `<entry> (key=value, …)`. */
  readonly label: string;
  /** The suite file entry the run comes from (one per sweep). */
  readonly entry: string;
  /** The method name or preset the run selects. */
  readonly method: string;
  /** `mergebench run` overrides: `method=<preset>`, then the entry's own, then the sweep's. */
  readonly overrides: readonly string[];
  readonly perTask: boolean;
}

export interface Suite {
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  /** Plugin packages the runs may use, loaded by package name (as `plugins:` in a config file). */
  readonly plugins: readonly string[];
  /** Model and task pool presets every run uses; without them the runs use the offline zoo. */
  readonly modelpool?: string;
  readonly taskpool?: string;
  readonly runs: readonly SuiteRun[];
}

const ENTRY_KEYS = ['label', 'method', 'modelpool', 'taskpool', 'per_task', 'overrides', 'sweep'];
const FILE_KEYS = ['name', 'description', 'plugins', 'modelpool', 'taskpool', 'runs'];
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as override text: plain words as they are, anything else as JSON (which YAML reads). */
export function overrideValue(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z0-9_./{}-]+$/.test(value)) return value;
  return JSON.stringify(value);
}

/** The key=value pairs of a mapping, in file order; keys must be dotted config paths. */
function pairs(where: string, field: string, value: unknown): [string, unknown][] {
  if (value === undefined) return [];
  if (!isMapping(value)) throw new MergebenchError(`${where}: ${field}: expected a mapping of key: value`);
  for (const key of Object.keys(value)) {
    if (!KEY.test(key)) throw new MergebenchError(`${where}: ${field}: '${key}' is not a dotted config key`);
  }
  return Object.entries(value);
}

/** Every combination of the sweep's values, first key slowest. */
function combinations(sweep: [string, unknown[]][]): [string, unknown][][] {
  return sweep.reduce<[string, unknown][][]>(
    (acc, [key, values]) =>
      acc.flatMap((combo) => values.map((v) => [...combo, [key, v] as [string, unknown]])),
    [[]],
  );
}

function entryRuns(file: string, index: number, raw: unknown): SuiteRun[] {
  const at = `${file}: runs[${index}]`;
  if (!isMapping(raw)) throw new MergebenchError(`${at}: expected a mapping with label and method`);
  const label = raw.label;
  if (typeof label !== 'string' || label.trim() === '') {
    throw new MergebenchError(`${at}: label: expected a non-empty string`);
  }
  const where = `${file}: run '${label}'`;
  for (const key of Object.keys(raw)) {
    if (!ENTRY_KEYS.includes(key)) {
      throw new MergebenchError(`${where}: unknown key '${key}'; expected ${ENTRY_KEYS.join(', ')}`);
    }
  }
  if (typeof raw.method !== 'string' || raw.method === '') {
    throw new MergebenchError(`${where}: method: expected a method name or preset`);
  }
  if (raw.per_task !== undefined && typeof raw.per_task !== 'boolean') {
    throw new MergebenchError(`${where}: per_task: expected true or false`);
  }
  const base = [`method=${overrideValue(raw.method)}`];
  for (const pool of ['modelpool', 'taskpool'] as const) {
    if (raw[pool] === undefined) continue;
    if (typeof raw[pool] !== 'string')
      throw new MergebenchError(`${where}: ${pool}: expected a name or preset`);
    base.push(`${pool}=${overrideValue(raw[pool])}`);
  }
  for (const [key, value] of pairs(where, 'overrides', raw.overrides))
    base.push(`${key}=${overrideValue(value)}`);
  const sweep = pairs(where, 'sweep', raw.sweep).map(([key, values]): [string, unknown[]] => {
    if (!Array.isArray(values) || values.length === 0) {
      throw new MergebenchError(`${where}: sweep: ${key}: expected a non-empty list of values`);
    }
    return [key, values];
  });
  return combinations(sweep).map((combo) => ({
    label:
      combo.length === 0
        ? label
        : `${label} (${combo.map(([k, v]) => `${k.split('.').pop()}=${overrideValue(v)}`).join(', ')})`,
    entry: label,
    method: raw.method as string,
    overrides: [...base, ...combo.map(([k, v]) => `${k}=${overrideValue(v)}`)],
    perTask: raw.per_task === true,
  }));
}

/** Reads and checks a suite file's shape; the runs' configs are validated later, against the zoo. */
export function parseSuite(file: string, text: string): Suite {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new MergebenchError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isMapping(doc)) throw new MergebenchError(`${file}: expected a mapping with name and runs`);
  for (const key of Object.keys(doc)) {
    if (!FILE_KEYS.includes(key)) {
      throw new MergebenchError(`${file}: unknown key '${key}'; expected ${FILE_KEYS.join(', ')}`);
    }
  }
  const name = doc.name ?? path.basename(file).replace(/\.ya?ml$/, '');
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new MergebenchError(`${file}: name: expected a lower-case name such as 'default'`);
  }
  const plugins = doc.plugins ?? [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
    throw new MergebenchError(`${file}: plugins: expected a list of package names`);
  }
  if (!Array.isArray(doc.runs) || doc.runs.length === 0) {
    throw new MergebenchError(`${file}: runs: expected a non-empty list of runs`);
  }
  for (const pool of ['modelpool', 'taskpool'] as const) {
    if (doc[pool] !== undefined && (typeof doc[pool] !== 'string' || doc[pool] === ''))
      throw new MergebenchError(`${file}: ${pool}: expected a ${pool} name or preset`);
  }
  const runs = doc.runs.flatMap((raw, i) => entryRuns(file, i, raw));
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.label)) throw new MergebenchError(`${file}: run '${run.label}' is listed twice`);
    seen.add(run.label);
  }
  return {
    name,
    file,
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    plugins: plugins as string[],
    ...(typeof doc.modelpool === 'string' ? { modelpool: doc.modelpool } : {}),
    ...(typeof doc.taskpool === 'string' ? { taskpool: doc.taskpool } : {}),
    runs,
  };
}

export function loadSuite(file: string): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MergebenchError(`suite file ${file}: cannot read it (${(e as Error).message.split('\n')[0]})`);
  }
  return parseSuite(file, text);
}
