import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Logger, type RunReport, runProgram, writeFileAtomic } from '@mergebench/core';
import type { Zoo } from './zoo/build-zoo.js';

/** One row of the leaderboard: a method preset with overrides, run once per task or once in all. */
export interface SuiteEntry {
  readonly label: string;
  readonly overrides: readonly string[];
  /** Evaluate one run per task, each on its own task only (the "individual" row). */
  readonly perTask?: (task: string) => readonly string[];
}

export type EntryOutcome =
  | { readonly label: string; readonly ok: true; readonly reports: readonly RunReport[] }
  | { readonly label: string; readonly ok: false; readonly error: string };

/** Runs are keyed by a hash of what determines them, so a rerun skips finished ones. */
function runKey(zoo: Zoo, overrides: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([zoo.dir, overrides]))
    .digest('hex')
    .slice(0, 10);
}

async function runOnce(
  zoo: Zoo,
  label: string,
  overrides: readonly string[],
  logger: Logger,
): Promise<RunReport> {
  const runName = `${label}-${runKey(zoo, overrides)}`;
  const reportPath = path.join(zoo.dir, 'runs', runName, 'report.json');
  if (existsSync(reportPath)) return JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
  logger.info(`suite: ${label} (${overrides.join(' ')})`);
  const { report } = await runProgram({
    cwd: zoo.dir,
    configPath: zoo.config,
    logger,
    overrides: [...overrides, `run_name=${runName}`],
  });
  return report;
}

/**
 * Runs every entry on the zoo. A failing entry is recorded with its error (and written to
 * `failures.json`) and does not stop the others.
 */
export async function runSuite(
  zoo: Zoo,
  entries: readonly SuiteEntry[],
  logger: Logger,
): Promise<EntryOutcome[]> {
  const outcomes: EntryOutcome[] = [];
  for (const entry of entries) {
    try {
      const reports = entry.perTask
        ? await sequential(zoo.spec.tasks, (task) =>
            runOnce(zoo, `${entry.label}-${task}`, [...entry.overrides, ...entry.perTask!(task)], logger),
          )
        : [await runOnce(zoo, entry.label, entry.overrides, logger)];
      outcomes.push({ label: entry.label, ok: true, reports });
    } catch (e) {
      const error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      logger.warn(`suite: ${entry.label} failed: ${error}`);
      outcomes.push({ label: entry.label, ok: false, error });
    }
  }
  const failures = outcomes.filter((o) => !o.ok);
  await writeFileAtomic(path.join(zoo.dir, 'failures.json'), `${JSON.stringify(failures, null, 2)}\n`);
  return outcomes;
}

async function sequential<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}
