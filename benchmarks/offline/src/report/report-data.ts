import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '@mergebench/core';
import type { LossLandscape } from '../landscape/loss-landscape.js';
import type { LeaderboardRow } from '../leaderboard.js';
import type { RunOutcome } from '../suite.js';
import type { ParetoExperiment } from './pareto-file.js';
import { type LambdaSweep, lambdaSweeps, type RobustnessSeries, robustnessSeries } from './sweep-charts.js';

/** Everything the HTML report draws, gathered from the suite's reports and files. */
export interface ReportData {
  readonly title: string;
  readonly subtitle: string;
  readonly tasks: readonly string[];
  readonly rows: readonly LeaderboardRow[];
  readonly failures: readonly { readonly label: string; readonly error: string }[];
  /** Loss per step of every run whose method wrote a step history. */
  readonly curves: readonly { readonly label: string; readonly steps: number[]; readonly loss: number[] }[];
  /** Learned layer-wise AdaMerging coefficients: one value per task per parameter tensor. */
  readonly coefficients: readonly {
    readonly label: string;
    readonly parameterNames: readonly string[];
    readonly byTask: Readonly<Record<string, readonly number[]>>;
  }[];
  /** Average accuracy of one entry's runs at several step budgets. */
  readonly stepSweeps: readonly {
    readonly series: string;
    readonly points: readonly { readonly steps: number; readonly average: number }[];
  }[];
  readonly pareto: readonly ParetoExperiment[];
  /** Accuracy against λ (task arithmetic's scaling factor, WEMoE's init_lambda). */
  readonly lambdaSweeps?: readonly LambdaSweep[];
  /** Accuracy per test-image corruption per method. */
  readonly robustness?: readonly RobustnessSeries[];
  readonly landscape?: LossLandscape;
  readonly published: readonly (readonly [string, number])[];
}

/** The file methods write their per-step history to (AdaMerging, WEMoE and E-WEMoE all use it). */
export const HISTORY_CSV = 'history.csv';
const MAX_CURVE_POINTS = 400;

/** step and loss columns of a history file, thinned to a few hundred points. */
export function readLossHistory(file: string): { steps: number[]; loss: number[] } | undefined {
  if (!existsSync(file)) return undefined;
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  const stepAt = columns.indexOf('step');
  const lossAt = columns.indexOf('loss');
  if (stepAt < 0 || lossAt < 0 || lines.length === 0) return undefined;
  const every = Math.max(1, Math.ceil(lines.length / MAX_CURVE_POINTS));
  const steps: number[] = [];
  const loss: number[] = [];
  lines.forEach((line, i) => {
    if (i % every !== 0 && i !== lines.length - 1) return;
    const cells = line.split(',');
    steps.push(Number(cells[stepAt]));
    loss.push(Number(cells[lossAt]));
  });
  return { steps, loss };
}

function layerWiseCoefficients(report: RunReport) {
  const a = report.artifacts as {
    granularity?: unknown;
    coefficients?: unknown;
    parameterNames?: unknown;
  };
  if (a.granularity !== 'layer-wise' || !Array.isArray(a.parameterNames) || !a.coefficients) return undefined;
  return {
    parameterNames: a.parameterNames as string[],
    byTask: a.coefficients as Record<string, number[]>,
  };
}

/**
 * Parameters that only change how long a run goes or how it is watched, not what it is
 * (`checkpoint_every`: save_state_every's former name, in reports of earlier versions).
 */
const BUDGET_PARAMS = [
  'max_steps',
  'progress',
  'save_state_every',
  'checkpoint_every',
  'resume',
  'checkpoint',
];

function stepSweeps(outcomes: readonly RunOutcome[], rows: readonly LeaderboardRow[]) {
  const groups = new Map<string, { series: string; points: { steps: number; average: number }[] }>();
  for (const o of outcomes) {
    if (!o.ok || o.reports.length !== 1) continue;
    const params = o.reports[0].method.params;
    const steps = params.max_steps;
    const row = rows.find((r) => r.label === o.label);
    if (typeof steps !== 'number' || !row) continue;
    const rest = Object.entries(params).filter(([k]) => !BUDGET_PARAMS.includes(k));
    const key = JSON.stringify([o.entry, o.reports[0].method.name, rest]);
    const group = groups.get(key) ?? { series: o.entry, points: [] };
    group.points.push({ steps, average: row.average });
    groups.set(key, group);
  }
  const sweeps = [...groups.values()].filter((g) => new Set(g.points.map((p) => p.steps)).size > 1);
  // Two groups of one entry (e.g. a depth × steps sweep) need telling apart.
  for (const g of sweeps) {
    if (sweeps.filter((s) => s.series === g.series).length > 1)
      g.series = `${g.series} #${sweeps.indexOf(g) + 1}`;
    g.points.sort((a, b) => a.steps - b.steps);
  }
  return sweeps;
}

/** Pareto fronts from the family results of runs (one member per preference vector). */
export function familyFronts(outcomes: readonly RunOutcome[]): ParetoExperiment[] {
  const experiments: ParetoExperiment[] = [];
  for (const o of outcomes) {
    if (!o.ok) continue;
    const family = o.reports[0].family;
    if (!family || family.length === 0) continue;
    const tasks = Object.keys(family[0].results.tasks);
    experiments.push({
      name: `${o.label} (family run)`,
      tasks,
      fronts: [
        {
          method: o.label,
          points: family.map((m) => ({
            preference: [...m.preference],
            accuracy: Object.fromEntries(tasks.map((t) => [t, m.results.tasks[t].accuracy])),
            loss: Object.fromEntries(tasks.map((t) => [t, m.results.tasks[t].loss])),
          })),
        },
      ],
    });
  }
  return experiments;
}

export function gatherReportData(input: {
  title: string;
  subtitle: string;
  tasks: readonly string[];
  outcomes: readonly RunOutcome[];
  rows: readonly LeaderboardRow[];
  pareto: readonly ParetoExperiment[];
  landscape?: LossLandscape;
  published: readonly (readonly [string, number])[];
}): ReportData {
  const { outcomes, rows } = input;
  const curves: { label: string; steps: number[]; loss: number[] }[] = [];
  const coefficients: ReportData['coefficients'][number][] = [];
  for (const o of outcomes) {
    if (!o.ok || o.reports.length !== 1) continue;
    const history = readLossHistory(path.join(o.dirs[0], HISTORY_CSV));
    if (history) curves.push({ label: o.label, ...history });
    const c = layerWiseCoefficients(o.reports[0]);
    if (c) coefficients.push({ label: o.label, ...c });
  }
  return {
    title: input.title,
    subtitle: input.subtitle,
    tasks: input.tasks,
    rows,
    failures: outcomes.flatMap((o) => (o.ok ? [] : [{ label: o.label, error: o.error }])),
    curves,
    coefficients,
    stepSweeps: stepSweeps(outcomes, rows),
    lambdaSweeps: lambdaSweeps(outcomes, rows),
    robustness: robustnessSeries(outcomes, rows),
    pareto: [...input.pareto, ...familyFronts(outcomes)],
    ...(input.landscape ? { landscape: input.landscape } : {}),
    published: input.published,
  };
}
