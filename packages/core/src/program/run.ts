import { readdirSync, rmdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { selectBackend } from '../backend/select.js';
import type { ComponentKind } from '../contracts/component.js';
import type { Logger } from '../contracts/logger.js';
import type { FamilyMemberReport, RunReport } from '../contracts/report.js';
import type { MethodResult } from '../contracts/result.js';
import type { TaskPoolResult } from '../contracts/task-pool.js';
import { createRunContainer } from '../di/container.js';
import { methodContainer } from '../di/method-services.js';
import { provide, TOKENS } from '../di/tokens.js';
import { MergebenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkCreatableDir, makeDirs } from '../io/make-dirs.js';
import { acquireRunLock, clearAbandonedRuns, type RunLock } from '../io/run-lock.js';
import { removeStaleTemporaries } from '../io/stale-temporaries.js';
import type { Module } from '../nn/module.js';
import { version } from '../version.js';
import { checkFiniteResults } from './finite-results.js';
import { checkHeadsFit } from './heads-check.js';
import { checkHeldOut, withoutHeldOut } from './held-out.js';
import { silentLogger } from './loggers.js';
import { PeakMemory } from './peak-memory.js';
import { type ResolvedRun, type ResolveOptions, resolveRun } from './resolve-config.js';
import { checkSameRun, runIdentity } from './run-identity.js';
import { formatRunSummary } from './summary-table.js';

export interface RunOptions extends ResolveOptions {
  /** Forces a backend (`--backend`); otherwise the config's `backend` or MERGEBENCH_BACKEND. */
  readonly backend?: string;
  readonly logger?: Logger;
  /** Run name when the config has none; defaults to `<method>-<date-time>`. */
  readonly now?: Date;
  /**
   * Delete what an earlier run left in the run's folder (report, saved training states) and start over
   * (`--fresh`); without it, a folder holding a run of another configuration is an error.
   */
  readonly fresh?: boolean;
  /** The run folder's lock, when the caller took it already (a suite that checks, then runs). */
  readonly lock?: RunLock;
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly runDir: string;
  /** The summary table, as printed by the CLI. */
  readonly summary: string;
}

function defaultRunName(method: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${method}-${stamp}`;
}

function summary(resolved: ResolvedRun, kind: ComponentKind) {
  const { registered, params } = resolved[kind];
  return { name: registered.component.info.name, package: registered.source, params };
}

/** Evaluates what a method returned; family members are built, evaluated and disposed one at a time. */
async function evaluateResult(
  result: MethodResult,
  evaluate: (model: Module) => Promise<TaskPoolResult>,
): Promise<{
  results: TaskPoolResult | null;
  family?: FamilyMemberReport[];
  parameters: RunReport['parameters'];
}> {
  const count = (m: Module) => ({
    all: m.countParameters(),
    trainable: m.countParameters({ trainableOnly: true }),
  });
  if (result.kind !== 'family') {
    return { results: await evaluate(result.model), parameters: count(result.model) };
  }
  const family: FamilyMemberReport[] = [];
  let parameters = { all: 0, trainable: 0 };
  for (const member of result.members) {
    const model = await member.model();
    try {
      parameters = count(model);
      family.push({ label: member.label, preference: member.preference, results: await evaluate(model) });
    } finally {
      model.dispose();
    }
  }
  const equal = family.find((m) => m.preference.every((p) => Math.abs(p - m.preference[0]) < 1e-9));
  return { results: equal?.results ?? null, family, parameters };
}

/**
 * One run: config → backend → container → model pool, task pool, method → method.run →
 * optional save → evaluation → report.json (written atomically) and a summary table.
 */
export async function runProgram(options: RunOptions = {}): Promise<RunOutcome> {
  // The run's logger, when it has one, says what the config should change, beside its other lines.
  const warn = options.warn ?? (options.logger ? (line: string) => options.logger!.warn(line) : undefined);
  const resolved = await resolveRun({ ...options, ...(warn ? { warn } : {}) });
  const { config } = resolved;
  const runName =
    config.run_name ??
    defaultRunName(resolved.method.registered.component.info.name, options.now ?? new Date());
  const outputDir = path.resolve(resolved.cwd, config.output_dir);
  const runDir = path.join(outputDir, runName);
  const saveTarget = config.save_model ? path.resolve(resolved.cwd, config.save_model) : undefined;

  // Paths first, so that a bad one costs no compute: the output folder is created (the lock lives
  // in it), the merged model's folder is only probed.
  await makeDirs(outputDir, 'output_dir');
  if (saveTarget) await checkCreatableDir(saveTarget, 'save_model');
  if (options.lock && options.lock.dir !== runDir)
    throw new MergebenchError(`the lock given is on ${options.lock.dir}, not on this run's folder ${runDir}`);
  const lock = options.lock ?? (await acquireRunLock(runDir));
  let createdRunDir = false;
  try {
    await clearAbandonedRuns(outputDir);
    const identity = runIdentity(resolved);
    if (options.fresh) await rm(runDir, { recursive: true, force: true });
    else await checkSameRun(runDir, identity);
    await removeStaleTemporaries(runDir);
    if (saveTarget) await removeStaleTemporaries(path.dirname(saveTarget), 0, path.basename(saveTarget));
    createdRunDir = (await makeDirs(runDir, 'run folder')).length > 0;
    return await runLocked(resolved, options, { runName, runDir, saveTarget, identity });
  } catch (e) {
    // A failed start leaves no empty run folder behind; whatever a method already saved stays.
    if (createdRunDir && readdirSync(runDir).length === 0) rmdirSync(runDir);
    throw e;
  } finally {
    if (!options.lock) await lock.release();
  }
}

interface RunPlace {
  readonly runName: string;
  readonly runDir: string;
  readonly saveTarget: string | undefined;
  readonly identity: ReturnType<typeof runIdentity>;
}

/** The run itself, once its folder is locked and checked. */
async function runLocked(resolved: ResolvedRun, options: RunOptions, place: RunPlace): Promise<RunOutcome> {
  const { runName, runDir, saveTarget, identity } = place;
  const { config } = resolved;
  const logger = options.logger ?? silentLogger;
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const time = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = (timings[phase] ?? 0) + (performance.now() - start) / 1000;
    }
  };
  // A config left at `auto` defers to MERGEBENCH_BACKEND, so one environment variable steers every run.
  const requested = options.backend ?? (config.backend === 'auto' ? undefined : config.backend);
  const backend = await selectBackend(requested, logger);
  const memory = new PeakMemory().start();

  const container = createRunContainer();
  provide(container, TOKENS.config, config);
  provide(container, TOKENS.logger, logger);
  provide(container, TOKENS.backend, backend);
  provide(container, TOKENS.registry, resolved.registry);
  const createCtx = (kind: ComponentKind, scope = container) => ({
    params: resolved[kind].params,
    container: scope,
    baseDir: resolved.baseDir,
  });

  const modelpool = await time('setup', async () =>
    resolved.modelpool.registered.component.create(createCtx('modelpool')),
  );
  const taskpool = await time('setup', async () => {
    try {
      return await resolved.taskpool.registered.component.create(createCtx('taskpool'));
    } catch (e) {
      await modelpool.dispose?.();
      throw e;
    }
  });
  provide(container, TOKENS.modelPool, modelpool);
  provide(container, TOKENS.taskPool, taskpool);
  let result: MethodResult | undefined;
  try {
    const heldOut = config.held_out ?? [];
    checkHeldOut(heldOut, modelpool, taskpool);
    taskpool.registerServices?.(container);
    checkHeadsFit(container, modelpool);
    // The method sees task data and heads only as far as its declaration says it needs them, and
    // never a held-out task's model, data or head.
    const methodScope = methodContainer(container, resolved.method.registered.component.info, heldOut);
    const methodPool = withoutHeldOut(modelpool, heldOut);
    const method = await time('setup', async () =>
      resolved.method.registered.component.create(createCtx('method', methodScope)),
    );
    provide(container, TOKENS.method, method);
    logger.info(
      `running ${resolved.method.registered.component.info.name} on a pool of ${methodPool.modelNames.length} fine-tuned models${modelpool.hasPretrained ? ' and the pretrained one' : ''}` +
        (heldOut.length > 0 ? ` (held out: ${heldOut.join(', ')})` : ''),
    );
    result = await time('method', () =>
      method.run(methodPool, { container: methodScope, logger, runDir, seed: config.seed, run: identity }),
    );
    memory.sample();

    if (saveTarget) {
      const target = saveTarget;
      if (result.kind === 'model') {
        const merged = result.model;
        await time('save', () => modelpool.saveModel(merged, target, { overwrite: true }));
        logger.info(`saved merged model to ${target}`);
      } else {
        logger.warn(`save_model: a ${result.kind} result is not one plain model; nothing saved to ${target}`);
      }
    }

    const evaluated = await time('evaluate', () =>
      evaluateResult(result!, (model) => {
        model.eval();
        return taskpool.evaluate(model);
      }),
    );
    checkFiniteResults(evaluated.results, evaluated.family);
    memory.stop();
    timings.total = (performance.now() - t0) / 1000;
    const resumed = identity.resumedReport(timings.method ?? 0);
    if (resumed) {
      // The time of a resumed run is the whole run's: the restored steps took their time before.
      timings.method = (timings.method ?? 0) + resumed.secondsBefore;
      timings.total += resumed.secondsBefore;
    }

    const report: RunReport = {
      schema: 'mergebench.run-report/1',
      runName,
      createdAt: new Date().toISOString(),
      seed: config.seed,
      method: summary(resolved, 'method'),
      modelpool: summary(resolved, 'modelpool'),
      taskpool: summary(resolved, 'taskpool'),
      config: config as unknown as Record<string, unknown>,
      configHash: identity.configHash,
      backend,
      resultKind: result.kind,
      results: evaluated.results,
      ...(heldOut.length > 0 ? { heldOut: [...heldOut] } : {}),
      ...(evaluated.family ? { family: evaluated.family } : {}),
      parameters: evaluated.parameters,
      timings,
      ...(resumed ? { resumed } : {}),
      peakMemory: { rssBytes: memory.rssBytes, tensorBytes: memory.tensorBytes },
      artifacts: result.artifacts ?? {},
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        mergebench: version,
      },
    };
    await writeFileAtomic(path.join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return { report, runDir, summary: formatRunSummary(report) };
  } finally {
    memory.stop();
    if (result && result.kind !== 'family') result.model.dispose();
    await modelpool.dispose?.();
    await taskpool.dispose?.();
  }
}
