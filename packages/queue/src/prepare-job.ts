import path from 'node:path';
import { type ComponentRegistry, configHash, resolveRun } from '@mergebench/core';
import { collectInputs } from './input-hashes.js';
import { runHash } from './run-hash.js';
import type { RunJobData } from './run-job.js';

/** The job of one planned run: its resolved config with the hashes of the inputs it names. */
export async function prepareRunJob(run: {
  readonly label: string;
  readonly runDir: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly baseDir: string;
  readonly plugins?: readonly string[];
  /** Where the plugins are installed, and a registry holding them already (faster). */
  readonly cwd?: string;
  readonly registry?: ComponentRegistry;
}): Promise<RunJobData> {
  // Resolved once more as the worker will (a config given as data), for the hash its report carries.
  const resolved = await resolveRun({
    cwd: run.cwd ?? run.baseDir,
    config: { values: run.config, baseDir: run.baseDir, where: `run ${run.label}` },
    ...(run.registry ? { registry: run.registry } : {}),
  });
  return {
    schema: 'mergebench.queue-job/1',
    label: run.label,
    runName: path.basename(run.runDir),
    runDir: path.resolve(run.runDir),
    configHash: configHash(run.config),
    runHash: runHash(resolved),
    config: structuredClone(run.config) as Record<string, unknown>,
    baseDir: path.resolve(run.baseDir),
    plugins: [...(run.plugins ?? [])],
    inputs: await collectInputs(run.config, run.baseDir),
  };
}
