import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MergebenchError } from '@mergebench/core';

import type { ParetoFront as MeasuredFront, ParetoPoint } from '../pareto/front.js';

export type { ParetoPoint };

/** A front as the report draws it: a family run's front comes without a hypervolume. */
export type ParetoFront = Omit<MeasuredFront, 'hypervolume'> & { readonly hypervolume?: number };

/** One Pareto experiment: fronts of several methods over the same tasks. */
export interface ParetoExperiment {
  readonly name: string;
  readonly tasks: readonly string[];
  readonly fronts: readonly ParetoFront[];
}

export const PARETO_SCHEMA = 'mergebench.pareto/1';

const isRecordOfNumbers = (v: unknown, tasks: readonly string[]) =>
  typeof v === 'object' &&
  v !== null &&
  tasks.every((t) => typeof (v as Record<string, unknown>)[t] === 'number');

/** Checks a `mergebench.pareto/1` document; errors name the file and the field. */
export function parseParetoFile(file: string, text: string): ParetoExperiment {
  const fail = (field: string, expected: string): never => {
    throw new MergebenchError(`${file}: ${field}: expected ${expected}`);
  };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new MergebenchError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (doc?.schema !== PARETO_SCHEMA) fail('schema', `'${PARETO_SCHEMA}'`);
  const tasks = doc.tasks;
  if (!Array.isArray(tasks) || tasks.length < 2 || tasks.some((t) => typeof t !== 'string')) {
    fail('tasks', 'a list of at least two task names');
  }
  const names = tasks as string[];
  if (!Array.isArray(doc.fronts)) fail('fronts', 'a list');
  const fronts = (doc.fronts as unknown[]).map((raw, i): ParetoFront => {
    const f = raw as Record<string, unknown>;
    if (typeof f?.method !== 'string') fail(`fronts[${i}].method`, 'a string');
    if (!Array.isArray(f.points) || f.points.length === 0) fail(`fronts[${i}].points`, 'a non-empty list');
    (f.points as Record<string, unknown>[]).forEach((p, j) => {
      const at = `fronts[${i}].points[${j}]`;
      if (!Array.isArray(p?.preference) || p.preference.length !== names.length) {
        fail(`${at}.preference`, `${names.length} numbers`);
      }
      if (!isRecordOfNumbers(p.accuracy, names))
        fail(`${at}.accuracy`, `a number for each of ${names.join(', ')}`);
      if (!isRecordOfNumbers(p.loss, names)) fail(`${at}.loss`, `a number for each of ${names.join(', ')}`);
    });
    if (f.hypervolume !== undefined && typeof f.hypervolume !== 'number') {
      fail(`fronts[${i}].hypervolume`, 'a number');
    }
    return f as unknown as ParetoFront;
  });
  return { name: path.basename(file).replace(/\.json$/, ''), tasks: names, fronts };
}

/** Every `*.json` in the folder, sorted by name; none when the folder does not exist. */
export function readParetoFolder(dir: string): ParetoExperiment[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseParetoFile(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')));
}
