import { readFile } from 'node:fs/promises';
import { check, listNames, MergebenchError, writeFileAtomic } from '@mergebench/core';
import type { CoefficientsByTask, Granularity } from './merged-weights.js';

/** The file a run writes its learned coefficients to, in the run's folder. */
export const COEFFICIENTS_FILE = 'coefficients.json';

/** What coefficients.json holds. */
export interface CoefficientsFile {
  readonly schema: 'mergebench.adamerging-coefficients/1';
  readonly granularity: Granularity;
  /** The merged parameters; layer-wise, entry j of a task's list is the coefficient of parameterNames[j]. */
  readonly parameterNames: readonly string[];
  readonly coefficients: CoefficientsByTask;
  /** Adaptation steps behind the coefficients (0 when they were given). */
  readonly steps: number;
}

/** Writes the coefficients atomically to `path`. */
export async function writeCoefficientsFile(
  path: string,
  content: Omit<CoefficientsFile, 'schema'>,
): Promise<void> {
  const file: CoefficientsFile = { schema: 'mergebench.adamerging-coefficients/1', ...content };
  await writeFileAtomic(path, `${JSON.stringify(file, null, 1)}\n`);
}

/** What the coefficients must fit: the method's granularity, the pool's tasks and merged parameters. */
export interface CoefficientsLayout {
  readonly granularity: Granularity;
  readonly tasks: readonly string[];
  readonly parameterNames: readonly string[];
}

const describe = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));

function finite(path: string, where: string, value: unknown): number {
  check(
    typeof value === 'number' && Number.isFinite(value),
    () => `${path}: '${where}' is ${describe(value)}, expected a finite number`,
  );
  return value;
}

/** The positions of the file's parameter names in `expected` order, checking both sets agree. */
function columnOrder(path: string, names: unknown, expected: readonly string[]): number[] {
  check(
    Array.isArray(names) && names.every((n) => typeof n === 'string'),
    () => `${path}: 'parameterNames' is ${describe(names)}, expected a list of parameter names`,
  );
  const position = new Map((names as string[]).map((name, j) => [name, j]));
  const missing = expected.filter((name) => !position.has(name));
  const unexpected = (names as string[]).filter((name) => !expected.includes(name));
  check(
    missing.length === 0 && unexpected.length === 0 && position.size === names.length,
    () =>
      `${path}: 'parameterNames' do not match the merged parameters (missing: ${listNames(missing, 3)}; unexpected: ${listNames(unexpected, 3)})`,
  );
  return expected.map((name) => position.get(name)!);
}

/**
 * Reads coefficients saved by an earlier run (or written by hand) and checks that they fit
 * `layout`; returns them by task, layer-wise lists in `layout.parameterNames` order. Every
 * problem is a one-line error naming the file and the entry.
 */
export async function readCoefficientsFile(
  path: string,
  layout: CoefficientsLayout,
): Promise<CoefficientsByTask> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new MergebenchError(
      `${path}: cannot read the coefficients (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  check(
    typeof raw === 'object' && raw !== null && !Array.isArray(raw),
    () => `${path}: expected a JSON object`,
  );
  const file = raw as Record<string, unknown>;
  check(
    file.granularity === layout.granularity,
    () =>
      `${path}: 'granularity' is ${describe(file.granularity)}, but this method learns ${layout.granularity} coefficients`,
  );
  const layerWise = layout.granularity === 'layer-wise';
  const order =
    layerWise || file.parameterNames !== undefined
      ? columnOrder(path, file.parameterNames, layout.parameterNames)
      : [];
  const given = file.coefficients;
  check(
    typeof given === 'object' && given !== null && !Array.isArray(given),
    () => `${path}: 'coefficients' is ${describe(given)}, expected an object of coefficients by task`,
  );
  const byTask = given as Record<string, unknown>;
  const unexpected = Object.keys(byTask).filter((task) => !layout.tasks.includes(task));
  check(
    unexpected.length === 0,
    () =>
      `${path}: 'coefficients' has task '${unexpected[0]}', which the model pool lacks (it has ${listNames(layout.tasks)})`,
  );
  const out: CoefficientsByTask = {};
  for (const task of layout.tasks) {
    const where = `coefficients.${task}`;
    const value = byTask[task];
    if (!layerWise) {
      out[task] = finite(path, where, value);
      continue;
    }
    check(
      Array.isArray(value) && value.length === order.length,
      () =>
        `${path}: '${where}' is ${Array.isArray(value) ? `a list of ${value.length}` : describe(value)}, expected a list of ${order.length} numbers (one per parameter)`,
    );
    out[task] = order.map((j) => finite(path, `${where}[${j}]`, value[j]));
  }
  return out;
}
