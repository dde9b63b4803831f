import { type DataNeeds, formatTable, type RunReport } from '@mergebench/core';
import { averageHalfWidth95, type MeasuredAccuracy } from './interval.js';
import type { RunOutcome } from './suite.js';

export interface LeaderboardRow {
  readonly label: string;
  readonly method: string;
  readonly tasks: Readonly<Record<string, number>>;
  readonly average: number;
  /** Half-width of the average's 95% interval (interval.ts); NaN when a task's count is unknown. */
  readonly averageHalfWidth: number;
  readonly parameters: { readonly all: number; readonly trainable: number };
  /** Seconds spent in the method (merging or adaptation), excluding evaluation. */
  readonly methodSeconds: number;
  readonly needs: string;
  /** Tasks the run held out of the merge (evaluated as unseen tasks). */
  readonly heldOut?: readonly string[];
}

/** What data a method consumed, in the leaderboard's words. */
export function describeNeeds(needs: DataNeeds | undefined): string {
  const parts: string[] = [];
  if (needs?.labelledTrain) parts.push('labelled train');
  if (needs?.labelledValidation) parts.push('labelled validation');
  if (needs?.unlabelledTest) parts.push('unlabelled test');
  return parts.length > 0 ? parts.join(', ') : 'weights only';
}

/** One row per successful entry; a per-task entry takes each task's accuracy from its own run. */
export function leaderboardRows(
  outcomes: readonly RunOutcome[],
  tasks: readonly string[],
  needsOf: (method: string) => DataNeeds | undefined,
): LeaderboardRow[] {
  const rows: LeaderboardRow[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const first: RunReport = outcome.reports[0];
    const accuracy: Record<string, number> = {};
    // The same tasks as the average (held-out ones included), each from the report that has it.
    const measured: MeasuredAccuracy[] = [];
    for (const task of tasks) {
      const report = outcome.reports.find((r) => r.results?.tasks[task]) ?? first;
      const metrics = report.results?.tasks[task];
      accuracy[task] = metrics?.accuracy ?? Number.NaN;
      measured.push({ accuracy: accuracy[task], count: metrics?.count ?? Number.NaN });
    }
    const values = Object.values(accuracy);
    rows.push({
      label: outcome.label,
      method: first.method.name,
      tasks: accuracy,
      average: values.reduce((s, v) => s + v, 0) / values.length,
      averageHalfWidth: averageHalfWidth95(measured),
      parameters: first.parameters,
      methodSeconds: outcome.reports.reduce((s, r) => s + (r.timings.method ?? 0), 0),
      needs: describeNeeds(needsOf(first.method.name)),
      heldOut: first.heldOut ?? [],
    });
  }
  return rows;
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : (100 * x).toFixed(1));
/** An average with its 95% interval, `87.7 ± 1.0`; the average alone where there is none. */
export const averageWithInterval = (r: Pick<LeaderboardRow, 'average' | 'averageHalfWidth'>) =>
  Number.isNaN(r.average) || !Number.isFinite(r.averageHalfWidth)
    ? pct(r.average)
    : `${pct(r.average)} ± ${pct(r.averageHalfWidth)}`;
/** What the ± of the average column is, one sentence for the leaderboard's and report's headings. */
export const INTERVAL_NOTE =
  "In the average column, ± is the 95% interval of that average, 1.96 · √(Σ p(1−p)/n) / T over the T tasks' independent test splits (normal approximation), so it reflects the test sets' size, not training seeds.";
/** Marks the accuracy of a task the run held out of the merge. */
export const HELD_OUT_MARK = '†';
const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);

/** The leaderboard as a plain-text table (printed) and as markdown (written). */
export function formatLeaderboard(rows: readonly LeaderboardRow[], tasks: readonly string[]) {
  const header = ['method', ...tasks, 'average', 'params', 'trainable', 'method s', 'data used'];
  const cells = rows.map((r) => [
    r.label,
    ...tasks.map((t) => pct(r.tasks[t]) + (r.heldOut?.includes(t) ? HELD_OUT_MARK : '')),
    averageWithInterval(r),
    count(r.parameters.all),
    count(r.parameters.trainable),
    r.methodSeconds.toFixed(1),
    r.needs,
  ]);
  const markdown = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join('|')}|`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
    ...(rows.some((r) => (r.heldOut?.length ?? 0) > 0)
      ? [
          '',
          `${HELD_OUT_MARK} a task held out of that run's merge (held_out): its model was not merged and the method never saw its data.`,
        ]
      : []),
  ].join('\n');
  return { text: formatTable(header, cells), markdown };
}

/** Published 8-task averages (CLIP ViT-B/32, FusionBench docs), for orientation only. */
export const PUBLISHED_B32: readonly (readonly [string, number])[] = [
  ['pretrained (zero-shot)', 48.2],
  ['individual fine-tuned', 90.3],
  ['simple average', 66.5],
  ['Fisher merging', 70.6],
  ['RegMean', 82.4],
  ['task arithmetic (λ=0.3)', 68.0],
  ['TIES (λ=0.3)', 72.2],
  ['AdaMerging task-wise', 68.7],
  ['AdaMerging layer-wise', 82.6],
  ['WEMoE (2-layer router)', 89.2],
  ['E-WEMoE (90% pruned)', 89.1],
];

/** The published averages as a plain-text table, printed under the measured leaderboard. */
export function publishedText(): string {
  return [
    'Published averages, CLIP ViT-B/32 on 8 tasks (FusionBench docs) - for orientation, NOT measured here:',
    formatTable(
      ['method', 'published %'],
      PUBLISHED_B32.map(([m, v]) => [m, v.toFixed(1)]),
    ),
  ].join('\n');
}

export function publishedTable(): string {
  return [
    '| method | published average % (CLIP ViT-B/32, 8 tasks) |',
    '|---|---:|',
    ...PUBLISHED_B32.map(([m, v]) => `| ${m} | ${v.toFixed(1)} |`),
  ].join('\n');
}
