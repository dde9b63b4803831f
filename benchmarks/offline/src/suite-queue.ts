import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type ComponentRegistry,
  HISTORY_FILE,
  type Logger,
  makeDirs,
  type RunReport,
  writeFileAtomic,
} from '@mergebench/core';
import { parseRedisUrl, prepareRunJob, runQueued } from '@mergebench/queue';
import { type PlannedRun, type RunOutcome, suiteOutcomes } from './suite.js';
import type { Suite, SuiteRun } from './suite-file.js';
import type { SuiteTarget } from './suite-target.js';

export interface QueueOptions {
  /** redis://[user:pass@]host:port[/db] or rediss://. */
  readonly url: string;
  /** Where the suite's plugins are installed (this package): the registry resolves from here. */
  readonly packageDir: string;
  /** Give up after Redis has been unreachable this long. Default 30 s. */
  readonly unreachableMs?: number;
}

const reportOf = (dir: string) => path.join(dir, 'report.json');

/**
 * runSuite over a queue: each run without a report becomes a BullMQ job (its resolved config,
 * run key and input hashes) that `mergebench worker` processes take; each result (report.json,
 * history.csv) is written into the run's folder here as it arrives, so the leaderboard is made
 * from the same files as in process, and a rerun resumes the same way.
 */
export async function runSuiteOnQueue(
  target: SuiteTarget,
  suite: Suite,
  plan: readonly PlannedRun[],
  registry: ComponentRegistry,
  logger: Logger,
  options: QueueOptions,
): Promise<RunOutcome[]> {
  const queue = parseRedisUrl(options.url);
  const dirOf = (p: PlannedRun) => path.resolve(target.cwd, p.dir);
  const reports = new Map<PlannedRun, RunReport>();
  const todo: PlannedRun[] = [];
  for (const p of plan) {
    if (existsSync(reportOf(dirOf(p))))
      reports.set(p, JSON.parse(readFileSync(reportOf(dirOf(p)), 'utf8')) as RunReport);
    else todo.push(p);
  }
  logger.info(
    `suite: ${plan.length} runs, ${plan.length - todo.length} already done, ${todo.length} to queue on ${queue.shown}`,
  );
  const jobs = [];
  for (const p of todo)
    jobs.push(
      await prepareRunJob({
        label: `${p.run.label}${p.task ? ` / ${p.task}` : ''}`,
        runDir: dirOf(p),
        config: p.config,
        baseDir: p.baseDir,
        plugins: suite.plugins,
        cwd: options.packageDir,
        registry,
      }),
    );
  const outcomes = await runQueued({
    target: queue,
    runs: jobs,
    logger,
    ...(options.unreachableMs ? { unreachableMs: options.unreachableMs } : {}),
    onResult: async (i, result) => {
      // The worker may share this folder and have written them already: the same bytes again.
      const dir = dirOf(todo[i]);
      await makeDirs(dir, 'run folder');
      if (result.history !== undefined) await writeFileAtomic(path.join(dir, HISTORY_FILE), result.history);
      await writeFileAtomic(reportOf(dir), `${JSON.stringify(result.report, null, 2)}\n`);
    },
  });
  const errors = new Map<SuiteRun, string>();
  for (const [i, o] of outcomes.entries()) {
    if (o.ok) reports.set(todo[i], o.result.report);
    else if (!errors.has(todo[i].run)) errors.set(todo[i].run, o.error);
  }
  return suiteOutcomes(plan, reports, errors);
}
