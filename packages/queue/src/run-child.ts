// The process one job runs in (forked by the worker, one per job): a run owns TensorFlow.js's
// global engine and all the memory it wants, and a crash, a leak or a kill ends only this process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  builtinPlugin,
  ComponentRegistry,
  HISTORY_FILE,
  loadPlugin,
  MergebenchError,
  type ProgressUpdate,
  registerPlugin,
  resolveRun,
  runProgram,
  stderrLogger,
} from '@mergebench/core';
import type { ChildMessage, ChildTask } from './child-protocol.js';
import { checkInputs } from './input-hashes.js';
import { runHash } from './run-hash.js';
import { checkRunJobData } from './run-job.js';

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

// The worker gone (killed, machine lost): stop at once rather than finish a run nobody collects.
process.on('disconnect', () => process.exit(1));

async function runTask(task: ChildTask): Promise<ChildMessage> {
  const data = checkRunJobData(task.data, task.id);
  const baseDir = task.inputsDir ?? data.baseDir;
  await checkInputs(data.inputs, baseDir);
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  for (const spec of data.plugins) {
    if (
      !(await loadPlugin(registry, spec, task.cwd, {
        pluginPaths: 'never',
        origin: { where: `job ${task.id}` },
      }))
    )
      throw new MergebenchError(
        `job ${task.id}: plugin package '${spec}' is not installed on this worker (looked from ${task.cwd})`,
      );
  }
  const runsDir = task.runsDir ?? path.dirname(data.runDir);
  const options = {
    cwd: task.cwd,
    registry,
    config: { values: data.config, baseDir, where: `job ${task.id}` },
    overrides: [`run_name=${JSON.stringify(data.runName)}`, `output_dir=${JSON.stringify(runsDir)}`],
    pluginPaths: 'code' as const,
  };
  // Other package versions may resolve the same settings differently: never run another run.
  const hash = runHash(await resolveRun(options));
  if (hash !== data.runHash)
    throw new MergebenchError(
      `job ${task.id}: the run resolves to hash ${hash.slice(0, 10)} on this worker, the coordinator's is ${data.runHash.slice(0, 10)} (other package versions or defaults installed?)`,
    );
  const base = stderrLogger({ verbose: task.verbose });
  const logger = { ...base, progress: (update: ProgressUpdate) => void send({ type: 'progress', update }) };
  const { report, runDir } = await runProgram({ ...options, registry, backend: task.backend, logger });
  let history: string | undefined;
  try {
    history = readFileSync(path.join(runDir, HISTORY_FILE), 'utf8');
  } catch {
    history = undefined; // a method without a training loop writes none
  }
  return { type: 'done', result: { report, ...(history !== undefined ? { history } : {}) } };
}

process.once('message', (task: ChildTask) => {
  runTask(task)
    .catch((e: unknown): ChildMessage => {
      const error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return {
        type: 'failed',
        error: e instanceof MergebenchError ? error : `${(e as Error).name ?? 'Error'}: ${error}`,
      };
    })
    .then(send)
    .then(() => process.exit(0));
});
