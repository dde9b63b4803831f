import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MergebenchError, type ProgressUpdate } from '@mergebench/core';
import type { ChildMessage, ChildTask } from './child-protocol.js';
import type { RunJobResult } from './run-job.js';

const CHILD = fileURLToPath(new URL('./run-child.js', import.meta.url));

/** One job's run in its own process; `kill` ends it at once (a job handed back). */
export interface JobProcess {
  readonly done: Promise<Omit<RunJobResult, 'worker'>>;
  kill(): void;
}

/** Forks the run process for `task`, relays its progress, and resolves to its result. */
export function startJobProcess(task: ChildTask, onProgress: (update: ProgressUpdate) => void): JobProcess {
  const child: ChildProcess = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const done = new Promise<Omit<RunJobResult, 'worker'>>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') onProgress(message.update);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new MergebenchError(message.error));
      }
    });
    child.on('error', (e) => {
      if (!settled) reject(new MergebenchError(`job ${task.id}: cannot start its run process: ${e.message}`));
      settled = true;
    });
    child.on('exit', (code, signal) => {
      if (!settled)
        reject(
          new MergebenchError(
            `job ${task.id}: its run process ended without a result (${signal ?? `exit code ${code}`})`,
          ),
        );
      settled = true;
    });
  });
  child.send(task);
  return { done, kill: () => child.kill('SIGKILL') };
}
