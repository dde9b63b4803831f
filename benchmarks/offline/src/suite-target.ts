import { createHash } from 'node:crypto';
import path from 'node:path';
import { type ComponentRegistry, MergebenchError, resolveRun } from '@mergebench/core';
import type { Suite } from './suite-file.js';
import type { Zoo } from './zoo/build-zoo.js';

/**
 * What a suite's runs run on: the offline zoo this package builds, or model and task pools the
 * suite file names (the CLIP TA8 pools read from the Hugging Face cache, say).
 */
export interface SuiteTarget {
  /** Runs are written to `<dir>/runs/`. */
  readonly dir: string;
  /** The folder relative paths in the runs' settings start from. */
  readonly cwd: string;
  /** A mergebench config file every run starts from, if any. */
  readonly config?: string;
  /** Overrides every run starts with (the suite's pools), before its own. */
  readonly overrides: readonly string[];
  /** The tasks of per-task runs and of the leaderboard's columns. */
  readonly tasks: readonly string[];
  /** Where the runs were measured, for the leaderboard's heading. */
  readonly where: string;
}

export function zooTarget(zoo: Zoo): SuiteTarget {
  return {
    dir: zoo.dir,
    cwd: zoo.dir,
    config: zoo.config,
    overrides: [],
    tasks: zoo.spec.tasks,
    where: `this project's offline zoo (zoo-${path.basename(zoo.dir).replace('zoo-', '')})`,
  };
}

/** Whether the suite names its own pools, so that no zoo is built for it. */
export function hasOwnPools(suite: Suite): boolean {
  return suite.modelpool !== undefined || suite.taskpool !== undefined;
}

/**
 * The target of a suite that names its pools: runs go to `<root>/pools-<hash of the pools>/`,
 * and the tasks are the task pool's, as a run resolves them (so a typo in a pool's name or
 * setting stops the suite here, before any run).
 */
export async function poolsTarget(
  suite: Suite,
  root: string,
  registry: ComponentRegistry,
): Promise<SuiteTarget> {
  if (suite.modelpool === undefined || suite.taskpool === undefined)
    throw new MergebenchError(
      `${suite.file}: a suite that names its pools needs both modelpool and taskpool`,
    );
  const overrides = [`modelpool=${suite.modelpool}`, `taskpool=${suite.taskpool}`];
  const cwd = path.dirname(path.resolve(suite.file));
  let tasks: unknown;
  try {
    const resolved = await resolveRun({ cwd, overrides: [`method=dummy`, ...overrides], registry });
    tasks = resolved.taskpool.params.tasks;
  } catch (e) {
    throw new MergebenchError(`${suite.file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(tasks) || tasks.some((t) => typeof t !== 'string'))
    throw new MergebenchError(
      `${suite.file}: taskpool ${suite.taskpool} does not declare its tasks as a list`,
    );
  const hash = createHash('sha256').update(overrides.join('\n')).digest('hex').slice(0, 10);
  const dir = path.join(root, `pools-${hash}`);
  return {
    dir,
    cwd,
    overrides: [...overrides, `output_dir=${JSON.stringify(path.join(dir, 'runs'))}`],
    tasks: tasks as string[],
    where: `model pool ${suite.modelpool}, task pool ${suite.taskpool}`,
  };
}
