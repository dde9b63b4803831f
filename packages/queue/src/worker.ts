import { hostname } from 'node:os';
import type { Logger } from '@mergebench/core';
import { type Job, WaitingError, Worker } from 'bullmq';
import { startJobProcess } from './job-process.js';
import { progressThrottle } from './job-progress.js';
import type { RedisTarget } from './redis-url.js';
import { checkRunJobData, RUN_QUEUE, type RunJobData, type RunJobResult } from './run-job.js';

/** Runs one job's run and returns its result; `signal` aborts when the job is handed back. */
export type JobRunner = (
  job: Job<RunJobData, RunJobResult>,
  signal: AbortSignal,
  report: (update: Parameters<ReturnType<typeof progressThrottle>>[0]) => void,
) => Promise<Omit<RunJobResult, 'worker' | 'timing'>>;

export interface WorkerOptions {
  readonly target: RedisTarget;
  /** Jobs run at once, each in its own process. */
  readonly concurrency: number;
  /** Where this worker's packages are installed. */
  readonly cwd: string;
  /** Folder run folders go in; default the job's own (storage shared at the same path). */
  readonly runsDir?: string;
  /** Folder the job's relative input paths start from; default the job's own. */
  readonly inputsDir?: string;
  readonly backend?: string;
  readonly verbose?: boolean;
  readonly logger: Logger;
  /**
   * How long a job's lock lasts unrenewed: a killed worker's job goes back to the queue within
   * about this long (BullMQ renews it at half that while the worker lives). Default 30 s.
   */
  readonly lockMs?: number;
  /** Default: the run of `mergebench run`, in its own process. The overhead benchmark passes a no-op. */
  readonly runner?: JobRunner;
}

export interface RunningWorker {
  /** `host:pid`, as jobs and `queue status` name it. */
  readonly id: string;
  /** Takes no new job, lets the running ones finish, then disconnects. */
  close(): Promise<void>;
  /** Stops the running jobs at once and puts them back in the queue for another worker. */
  handBack(): Promise<void>;
}

/** The default runner: the job's run in its own process (run-child.ts). */
function runInProcess(options: WorkerOptions): JobRunner {
  return async (job, signal, report) => {
    const running = startJobProcess(
      {
        id: job.id!,
        data: job.data,
        cwd: options.cwd,
        ...(options.runsDir ? { runsDir: options.runsDir } : {}),
        ...(options.inputsDir ? { inputsDir: options.inputsDir } : {}),
        ...(options.backend ? { backend: options.backend } : {}),
        verbose: options.verbose ?? false,
      },
      report,
    );
    signal.addEventListener('abort', () => running.kill(), { once: true });
    return running.done;
  };
}

/** Starts taking jobs from the run queue. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const id = `${hostname()}:${process.pid}`;
  const { logger } = options;
  const runner = options.runner ?? runInProcess(options);
  const lockDuration = options.lockMs ?? 30_000;
  const aborts = new Set<AbortController>();
  let handingBack = false;

  const worker = new Worker<RunJobData, RunJobResult>(
    RUN_QUEUE,
    async (job, token) => {
      const startedAt = Date.now();
      const data = checkRunJobData(job.data, job.id!);
      logger.info(`worker ${id}: job ${job.id} ${data.label} (attempt ${job.attemptsMade + 1})`);
      await job.updateProgress({ worker: id });
      const abort = new AbortController();
      aborts.add(abort);
      const report = progressThrottle(id, (p) => void job.updateProgress(p).catch(() => {}));
      try {
        const result = await runner(job, abort.signal, report);
        logger.info(`worker ${id}: job ${job.id} ${data.label} done`);
        return { ...result, worker: id, timing: { startedAt, endedAt: Date.now() } };
      } catch (e) {
        if (handingBack) {
          // Back to waiting, not counted as a failed attempt: another worker takes it.
          await job.moveToWait(token);
          throw new WaitingError();
        }
        logger.warn(
          `worker ${id}: job ${job.id} ${data.label} failed: ${(e as Error).message.split('\n')[0]}`,
        );
        throw e;
      } finally {
        aborts.delete(abort);
      }
    },
    {
      connection: options.target.connection,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      // A job whose worker died is retried up to this often before it fails as stalled.
      maxStalledCount: 3,
      name: id,
    },
  );
  worker.on('error', (e) =>
    logger.warn(`worker ${id}: ${options.target.shown}: ${e.message.split('\n')[0]}`),
  );
  await worker.waitUntilReady();
  logger.info(`worker ${id}: taking jobs from ${options.target.shown} (concurrency ${options.concurrency})`);
  return {
    id,
    close: () => worker.close(),
    handBack: async () => {
      handingBack = true;
      for (const a of aborts) a.abort();
      await worker.close();
    },
  };
}
