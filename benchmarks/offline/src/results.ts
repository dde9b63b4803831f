import path from 'node:path';
import { type ComponentRegistry, writeFileAtomic } from '@mergebench/core';
import type { LossLandscape } from './landscape/loss-landscape.js';
import {
  formatLeaderboard,
  INTERVAL_NOTE,
  leaderboardRows,
  PUBLISHED_B32,
  publishedTable,
  publishedText,
} from './leaderboard.js';
import { htmlReport } from './report/html-report.js';
import { readParetoFolder } from './report/pareto-file.js';
import { gatherReportData } from './report/report-data.js';
import type { RunOutcome } from './suite.js';
import type { Suite } from './suite-file.js';
import type { SuiteTarget } from './suite-target.js';

export interface SuiteResultsInput {
  readonly out: string;
  readonly suite: Suite;
  readonly target: SuiteTarget;
  readonly backend: string;
  readonly outcomes: readonly RunOutcome[];
  /** Where the methods were found: their declared data needs go into the leaderboard. */
  readonly registry: ComponentRegistry;
  readonly landscape?: LossLandscape;
  /** Folder of `mergebench.pareto/1` files to draw beside the suite's own family runs. */
  readonly paretoDir: string;
}

/** Writes leaderboard.md, report.html and failures.json; returns the printed table and the files. */
export async function writeSuiteResults(
  input: SuiteResultsInput,
): Promise<{ text: string; files: string[] }> {
  const { out, suite, target, outcomes, registry } = input;
  const tasks = target.tasks;
  const rows = leaderboardRows(outcomes, tasks, (m) => registry.get('method', m)?.component.info.needs);
  const { text, markdown } = formatLeaderboard(rows, tasks);
  // Runs are cached, so they may come from earlier processes: name the backends they ran on.
  const measuredOn = [
    ...new Set(outcomes.flatMap((o) => (o.ok ? o.reports.map((r) => r.backend.name) : []))),
  ];
  const backends = measuredOn.length > 0 ? measuredOn.join(', ') : input.backend;
  const where = `${target.where}, backend ${backends}`;
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ label: o.label, error: o.error }]));

  const leaderboard = path.join(out, 'leaderboard.md');
  await writeFileAtomic(
    leaderboard,
    [
      `# Leaderboard: suite ${suite.name}`,
      '',
      `Measured on ${where};`,
      'accuracy in % on each task\'s test split; "method s" is the time spent merging or adapting;',
      '"data used" is what each method declares it reads.',
      INTERVAL_NOTE,
      '',
      markdown,
      '',
      ...(failures.length > 0
        ? ['## Failed runs', '', ...failures.map((f) => `- ${f.label}: ${f.error}`), '']
        : []),
      '## Published numbers, for orientation (not measured here)',
      '',
      publishedTable(),
      '',
    ].join('\n'),
  );

  const report = path.join(out, 'report.html');
  const data = gatherReportData({
    title: `mergebench benchmark: suite ${suite.name}`,
    subtitle: `Measured on ${where}, ${new Date().toISOString().slice(0, 10)}.`,
    tasks,
    outcomes,
    rows,
    pareto: readParetoFolder(input.paretoDir),
    ...(input.landscape ? { landscape: input.landscape } : {}),
    published: PUBLISHED_B32,
  });
  await writeFileAtomic(report, htmlReport(data));

  const failuresFile = path.join(out, 'failures.json');
  await writeFileAtomic(failuresFile, `${JSON.stringify(failures, null, 2)}\n`);
  return {
    text: `${text}\n${INTERVAL_NOTE}\n\n${publishedText()}`,
    files: [leaderboard, report, failuresFile],
  };
}
