import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { makeDirs } from '../io/make-dirs.js';

/** What one optimizer step did. */
export interface StepRecord {
  /** 1-based: the record of the n-th update. */
  readonly step: number;
  /** Sum of the task losses, the objective whose gradient was applied. */
  readonly loss: number;
  readonly taskLosses: Readonly<Record<string, number>>;
  /** The learning rate of this update. */
  readonly lr: number;
  /** Values the caller added after the update, e.g. learned merge coefficients. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Quotes a CSV field when it needs it (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Names in order of first appearance across the records. */
function columnsOf(records: readonly StepRecord[], pick: (r: StepRecord) => object | undefined): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(pick(record) ?? {})) seen.add(key);
  return [...seen];
}

/**
 * The history as CSV, one row per step: `step,loss,loss/<task>…,lr,<extra>…`. Task and extra
 * columns are the union over all rows in order of first appearance; a value a row lacks is left
 * empty. Numbers are written with full precision.
 */
export function historyCsv(history: readonly StepRecord[]): string {
  const tasks = columnsOf(history, (r) => r.taskLosses);
  const extras = columnsOf(history, (r) => r.extra);
  const header = ['step', 'loss', ...tasks.map((t) => `loss/${t}`), 'lr', ...extras];
  const cell = (values: Readonly<Record<string, number>> | undefined, key: string) =>
    values !== undefined && Object.hasOwn(values, key) ? String(values[key]) : '';
  const rows = history.map((r) =>
    [
      String(r.step),
      String(r.loss),
      ...tasks.map((t) => cell(r.taskLosses, t)),
      String(r.lr),
      ...extras.map((e) => cell(r.extra, e)),
    ].join(','),
  );
  return [header.map(csvField).join(','), ...rows].join('\n') + '\n';
}

/** Writes historyCsv(history) to `path` atomically, creating its folder when missing. */
export async function writeHistoryCsv(path: string, history: readonly StepRecord[]): Promise<void> {
  await makeDirs(dirname(path), path);
  await writeFileAtomic(path, historyCsv(history));
}

/** The conventional name of a run's history file, in the run's folder. */
export const HISTORY_FILE = 'history.csv';

/** What a run's report says of its training history; the full history is in HISTORY_FILE. */
export function summarizeHistory(history: readonly StepRecord[], resumedFrom: number) {
  return {
    file: HISTORY_FILE,
    resumedFrom,
    firstLoss: history[0]?.loss ?? null,
    bestLoss: history.length > 0 ? Math.min(...history.map((r) => r.loss)) : null,
    finalLoss: history.at(-1)?.loss ?? null,
    finalTaskLosses: history.at(-1)?.taskLosses ?? null,
  };
}
