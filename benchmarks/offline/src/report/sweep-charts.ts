import type { LeaderboardRow } from '../leaderboard.js';
import type { RunOutcome } from '../suite.js';

/** Method parameters that are a λ: task arithmetic's and TIES's scaling factor, WEMoE's init_lambda. */
export const LAMBDA_PARAMS = ['scaling_factor', 'init_lambda'] as const;

export interface LambdaSweep {
  readonly series: string;
  readonly points: readonly { readonly lambda: number; readonly average: number }[];
}

export interface RobustnessSeries {
  /** The run's label without its corruption. */
  readonly series: string;
  /** Average accuracy by corruption; `clean` for uncorrupted test images. */
  readonly byCorruption: Readonly<Record<string, number>>;
}

/** Runs of one entry that differ only in a λ parameter, as accuracy-vs-λ series. */
export function lambdaSweeps(
  outcomes: readonly RunOutcome[],
  rows: readonly LeaderboardRow[],
): LambdaSweep[] {
  const groups = new Map<string, { series: string; points: { lambda: number; average: number }[] }>();
  for (const o of outcomes) {
    if (!o.ok || o.reports.length !== 1) continue;
    const report = o.reports[0];
    const params = report.method.params;
    const key = LAMBDA_PARAMS.find((name) => typeof params[name] === 'number');
    const row = rows.find((r) => r.label === o.label);
    if (key === undefined || !row) continue;
    const rest = Object.entries(params).filter(([k]) => k !== key);
    const id = JSON.stringify([o.entry, report.method.name, rest, report.taskpool.params]);
    const group = groups.get(id) ?? { series: `${o.entry} (${key})`, points: [] };
    group.points.push({ lambda: params[key] as number, average: row.average });
    groups.set(id, group);
  }
  const sweeps = [...groups.values()].filter((g) => new Set(g.points.map((p) => p.lambda)).size > 1);
  for (const g of sweeps) g.points.sort((a, b) => a.lambda - b.lambda);
  return sweeps;
}

/** Runs that differ only in the task pool's corruption, as accuracy per corruption per method. */
export function robustnessSeries(
  outcomes: readonly RunOutcome[],
  rows: readonly LeaderboardRow[],
): RobustnessSeries[] {
  const groups = new Map<string, { series: string; byCorruption: Record<string, number> }>();
  for (const o of outcomes) {
    if (!o.ok || o.reports.length !== 1) continue;
    const report = o.reports[0];
    const { corruption, ...pool } = report.taskpool.params as Record<string, unknown>;
    const row = rows.find((r) => r.label === o.label);
    if (!('corruption' in report.taskpool.params) || !row) continue;
    const id = JSON.stringify([o.entry, report.method.params, pool]);
    const series = o.label.replace(/(, )?corruption=[^,)]*/, '').replace(' ()', '');
    const group = groups.get(id) ?? { series, byCorruption: {} };
    group.byCorruption[typeof corruption === 'string' ? corruption : 'clean'] = row.average;
    groups.set(id, group);
  }
  return [...groups.values()].filter((g) => Object.keys(g.byCorruption).length > 1);
}
