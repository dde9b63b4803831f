import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  acquireRunLock,
  builtinPlugin,
  ComponentRegistry,
  configHash,
  formatDuration,
  type Logger,
  loadPlugin,
  MergebenchError,
  makeDirs,
  type RunReport,
  registerPlugin,
  resolveRun,
  runProgram,
} from '@mergebench/core';
import type { Suite, SuiteRun } from './suite-file.js';
import type { SuiteTarget } from './suite-target.js';

/** One `mergebench run` of the suite: a run, or one task of a per-task run. */
export interface PlannedRun {
  readonly run: SuiteRun;
  readonly task?: string;
  readonly overrides: readonly string[];
  /** Hash of the resolved config: the run's folder name ends with it, so a rerun finds it. */
  readonly key: string;
  readonly dir: string;
  /** The resolved config and the folder its relative paths start from: a queued run's job. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly baseDir: string;
}

export type RunOutcome =
  | {
      readonly label: string;
      readonly entry: string;
      readonly ok: true;
      readonly reports: readonly RunReport[];
      /** The run folders, beside the reports: methods write histories and coefficients there. */
      readonly dirs: readonly string[];
    }
  | { readonly label: string; readonly entry: string; readonly ok: false; readonly error: string };

/**
 * A short hash of a resolved config, without the entries that do not change the result: core's
 * configHash, the same definition a resumed run is checked against.
 */
export function configKey(config: Readonly<Record<string, unknown>>): string {
  return configHash(config).slice(0, 10);
}

const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * A registry with the suite's plugins loaded by package name, looked up from the suite file's
 * folder and then from this benchmark's own dependencies.
 */
export async function suiteRegistry(suite: Suite, packageDir: string): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  for (const spec of suite.plugins) {
    // A suite received from someone else must be safe to validate: packages by name only.
    const options = { origin: { where: `suite file ${suite.file}` } };
    if (!(await loadPlugin(registry, spec, path.dirname(path.resolve(suite.file)), options))) {
      if (!(await loadPlugin(registry, spec, packageDir, options))) {
        throw new MergebenchError(
          `${suite.file}: plugins: package '${spec}' is not installed (looked from ${path.dirname(suite.file)} and ${packageDir})`,
        );
      }
    }
  }
  return registry;
}

/**
 * Resolves and validates every run's config against the target before any run starts, so an
 * unknown method or a bad override stops the suite with the run's label and the key at fault.
 */
export async function planSuite(
  target: SuiteTarget,
  suite: Suite,
  registry: ComponentRegistry,
): Promise<PlannedRun[]> {
  const planned: PlannedRun[] = [];
  for (const run of suite.runs) {
    const tasks = run.perTask ? target.tasks : [undefined];
    for (const task of tasks) {
      const own = run.overrides.map((o) => (task ? o.replaceAll('{task}', task) : o));
      // The run's own pools (in its overrides, after the suite's) win.
      const overrides = [...target.overrides, ...own];
      if (task) overrides.push(`taskpool.tasks=[${task}]`);
      let config: Readonly<Record<string, unknown>>;
      let baseDir: string;
      try {
        const resolved = await resolveRun({
          cwd: target.cwd,
          configPath: target.config,
          overrides,
          registry,
        });
        config = resolved.config as unknown as Record<string, unknown>;
        baseDir = resolved.baseDir;
      } catch (e) {
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        throw new MergebenchError(
          `${suite.file}: run '${run.label}'${task ? ` (task ${task})` : ''}: ${message}`,
        );
      }
      const key = configKey(config);
      const name = `${slug(run.label)}${task ? `-${task}` : ''}-${key}`;
      planned.push({
        run,
        ...(task ? { task } : {}),
        overrides,
        key,
        dir: path.join(target.dir, 'runs', name),
        config,
        baseDir,
      });
    }
  }
  return planned;
}

/** Reports a finished run is found by; a folder without one (interrupted, failed) is run again. */
const reportOf = (dir: string) => path.join(dir, 'report.json');

/**
 * Runs the plan on the target, in order, skipping runs whose report exists. A failing run is
 * recorded with its error (a per-task run fails as a whole) and does not stop the others.
 */
export async function runSuite(
  target: SuiteTarget,
  plan: readonly PlannedRun[],
  registry: ComponentRegistry,
  logger: Logger,
): Promise<RunOutcome[]> {
  const todo = plan.filter((p) => !existsSync(reportOf(p.dir))).length;
  logger.info(`suite: ${plan.length} runs, ${plan.length - todo} already done, ${todo} to do`);
  const reports = new Map<PlannedRun, RunReport>();
  const errors = new Map<SuiteRun, string>();
  let done = 0;
  let spent = 0;
  for (const [i, p] of plan.entries()) {
    if (errors.has(p.run)) continue;
    let lock: Awaited<ReturnType<typeof acquireRunLock>> | undefined;
    try {
      // Locked before the report is looked for: two suites sharing a target never run one run twice.
      const dir = path.resolve(target.cwd, p.dir);
      await makeDirs(path.dirname(dir), 'suite runs folder');
      lock = await acquireRunLock(dir);
      if (existsSync(reportOf(p.dir))) {
        reports.set(p, JSON.parse(readFileSync(reportOf(p.dir), 'utf8')) as RunReport);
        continue;
      }
      const eta = done > 0 ? ` (suite ETA ${formatDuration((spent / done) * (todo - done))})` : '';
      logger.info(`suite [${i + 1}/${plan.length}] ${p.run.label}${p.task ? ` / ${p.task}` : ''}${eta}`);
      const start = performance.now();
      const { report } = await runProgram({
        cwd: target.cwd,
        configPath: target.config,
        logger,
        registry,
        lock,
        overrides: [...p.overrides, `run_name=${path.basename(p.dir)}`],
      });
      spent += (performance.now() - start) / 1000;
      done += 1;
      reports.set(p, report);
    } catch (e) {
      const error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      logger.warn(`suite: ${p.run.label} failed: ${error}`);
      errors.set(p.run, error);
    } finally {
      await lock?.release();
    }
  }
  return suiteOutcomes(plan, reports, errors);
}

/**
 * One outcome per suite run, in the plan's order: its reports (one per task of a per-task run),
 * or the first error of any of its parts.
 */
export function suiteOutcomes(
  plan: readonly PlannedRun[],
  reports: ReadonlyMap<PlannedRun, RunReport>,
  errors: ReadonlyMap<SuiteRun, string>,
): RunOutcome[] {
  const outcomes: RunOutcome[] = [];
  for (const run of new Set(plan.map((p) => p.run))) {
    const error = errors.get(run);
    if (error !== undefined) {
      outcomes.push({ label: run.label, entry: run.entry, ok: false, error });
      continue;
    }
    const parts = plan.filter((p) => p.run === run);
    outcomes.push({
      label: run.label,
      entry: run.entry,
      ok: true,
      reports: parts.map((p) => reports.get(p)!),
      dirs: parts.map((p) => p.dir),
    });
  }
  return outcomes;
}
