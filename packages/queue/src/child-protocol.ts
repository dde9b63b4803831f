import type { ProgressUpdate } from '@mergebench/core';
import type { RunJobData, RunJobResult } from './run-job.js';

/** What the worker sends the process that runs one job. */
export interface ChildTask {
  readonly id: string;
  readonly data: RunJobData;
  /** Where the worker's plugins are installed: packages are looked up from here. */
  readonly cwd: string;
  /** Folder the run's folder goes in; default the coordinator's (storage shared at the same path). */
  readonly runsDir?: string;
  /** Folder the config's relative paths start from; default the coordinator's. */
  readonly inputsDir?: string;
  readonly backend?: string;
  readonly verbose: boolean;
}

/** What that process sends back. */
export type ChildMessage =
  | { readonly type: 'progress'; readonly update: ProgressUpdate }
  | { readonly type: 'done'; readonly result: Omit<RunJobResult, 'worker'> }
  | { readonly type: 'failed'; readonly error: string };
