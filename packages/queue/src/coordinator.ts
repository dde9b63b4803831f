import type { Logger } from '@mergebench/core';
import { formatDuration, MergebenchError } from '@mergebench/core';
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { JobProgress } from './job-progress.js';
import type { RedisTarget } from './redis-url.js';
import { RUN_QUEUE, type RunJobData, type RunJobResult, runJobId } from './run-job.js';
import { UnreachableWatch } from './unreachable.js';

export interface CoordinatorOptions {
  readonly target: RedisTarget;
  readonly runs: readonly RunJobData[];
  readonly logger: Logger;
  /** Tries per job before it is recorded as failed with its last error. Default 3. */
  readonly attempts?: number;
  /** Give up after Redis has been unreachable this long. Default 30 s. */
  readonly unreachableMs?: number;
  /** How often job states are checked besides the events (a missed event, a reconnect). Default 2 s. */
  readonly sweepMs?: number;
  /** Called once per finished run, before it counts as done: the caller writes its files here. */
  readonly onResult?: (index: number, result: RunJobResult) => Promise<void>;
}

/** When a job's phases happened, for the overhead benchmark (ms since the epoch). */
export interface JobTiming {
  readonly enqueuedAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly receivedAt: number;
}

export type QueuedOutcome =
  | { readonly ok: true; readonly result: RunJobResult; readonly timing: JobTiming }
  | { readonly ok: false; readonly error: string };

const KEEP_SECONDS = 7 * 24 * 3600;
const SWEEP_SLICE = 200;

/** `promise`, or a rejection after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Enqueues each run as a job (one per job id: a run already queued, running or done is attached
 * to, not enqueued again; one that failed before is enqueued anew, as in process a failed run is
 * run again) and waits until every job has finished. Returns one outcome per run, in order.
 */
export async function runQueued(options: CoordinatorOptions): Promise<QueuedOutcome[]> {
  const { target, runs, logger } = options;
  const sweepMs = options.sweepMs ?? 2000;
  const watch = new UnreachableWatch(target.shown, options.unreachableMs ?? 30_000);
  const ids = runs.map(runJobId);
  const indicesOf = new Map<string, number[]>();
  for (const [i, id] of ids.entries()) indicesOf.set(id, [...(indicesOf.get(id) ?? []), i]);
  const outcomes: (QueuedOutcome | undefined)[] = runs.map(() => undefined);
  const pending = new Set(indicesOf.keys());
  const enqueuedAt = new Map<string, number>();

  // Commands fail at once while disconnected (no offline queue, no retry of a command in
  // flight), so a lost server is noticed; only the blocking event reader waits through it.
  const queue = new Queue<RunJobData, RunJobResult>(RUN_QUEUE, {
    connection: {
      ...target.connection,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    } as typeof target.connection,
  });
  const events = new QueueEvents(RUN_QUEUE, { connection: target.connection });
  let lastError: unknown;
  const noteError = (e: Error) => {
    lastError = e;
  };
  queue.on('error', noteError);
  events.on('error', noteError);

  let finishing: Promise<void> = Promise.resolve();
  let wake: () => void = () => {};
  let failure: unknown;
  let sweepRound = 0;
  const settle = (id: string, outcome: QueuedOutcome) => {
    if (!pending.delete(id)) return; // an event and a sweep may both see one job finish
    // Results are written one at a time, in the order they came.
    finishing = finishing
      .then(async () => {
        for (const i of indicesOf.get(id)!) {
          if (outcome.ok) await options.onResult?.(i, outcome.result);
          outcomes[i] = outcome;
        }
        const label = runs[indicesOf.get(id)![0]].label;
        if (outcome.ok)
          logger.info(
            `queue: ${label} done on ${outcome.result.worker} (${runs.length - countPending()} of ${runs.length})`,
          );
        else logger.warn(`queue: ${label} failed: ${outcome.error}`);
      })
      .catch((e) => {
        failure ??= e;
      })
      .finally(() => wake());
  };
  const countPending = () => outcomes.filter((o) => o === undefined).length;
  const completed = (id: string, returnvalue: unknown) => {
    const result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as RunJobResult;
    const timing: JobTiming = {
      enqueuedAt: enqueuedAt.get(id),
      startedAt: result.timing?.startedAt,
      endedAt: result.timing?.endedAt,
      receivedAt: Date.now(),
    };
    settle(id, { ok: true, result, timing });
  };
  const lastProgress = new Map<string, number>();
  events.on('completed', ({ jobId, returnvalue }) => {
    if (pending.has(jobId)) completed(jobId, returnvalue);
  });
  events.on('failed', ({ jobId }) => {
    if (pending.has(jobId)) void checkJob(jobId).catch(noteError); // final, or a retry to come
  });
  events.on('progress', ({ jobId, data }) => {
    const p = data as Partial<JobProgress>;
    if (!pending.has(jobId) || p.step === undefined) return;
    // One line per job every 30 s at most: a long suite's log stays readable.
    if (Date.now() - (lastProgress.get(jobId) ?? 0) < 30_000 && p.step !== p.total) return;
    lastProgress.set(jobId, Date.now());
    const eta = p.etaSeconds !== undefined ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
    logger.info(
      `queue: ${runs[indicesOf.get(jobId)![0]].label} on ${p.worker}: ${p.loop} step ${p.step}/${p.total}, loss ${p.loss?.toFixed(4)}${eta}`,
    );
  });

  const checkJob = async (id: string, job?: Job<RunJobData, RunJobResult>) => {
    const found = job ?? (await queue.getJob(id));
    if (!found) return 'missing' as const;
    const state = await found.getState();
    if (state === 'completed') completed(id, found.returnvalue);
    else if (state === 'failed') settle(id, { ok: false, error: found.failedReason.split('\n')[0] });
    return state;
  };

  try {
    try {
      await Promise.race([
        Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
        new Promise((_, reject) =>
          setTimeout(() => reject(lastError ?? new Error('no answer')), options.unreachableMs ?? 30_000),
        ),
      ]);
    } catch (e) {
      throw new MergebenchError(`queue ${target.shown} unreachable: ${(e as Error).message.split('\n')[0]}`);
    }
    // BullMQ stops relaying the queue client's errors after the first: without a listener of our
    // own, ioredis prints 'Unhandled error event' for every reconnect attempt while Redis is down.
    (await queue.client).on('error', noteError);
    (await events.client).on('error', noteError);
    // Attach to what is there already; enqueue the rest in bulk.
    const fresh: string[] = [];
    let attached = 0;
    for (const id of indicesOf.keys()) {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : 'missing';
      if (job && state === 'failed') await job.remove(); // run again, as in process
      if (job && state !== 'failed' && state !== 'unknown') {
        attached += 1;
        if (state === 'completed') completed(id, job.returnvalue);
      } else fresh.push(id);
    }
    const now = Date.now();
    for (const id of fresh) enqueuedAt.set(id, now);
    await queue.addBulk(
      fresh.map((id) => ({
        name: 'run',
        data: runs[indicesOf.get(id)![0]],
        opts: {
          jobId: id,
          attempts: options.attempts ?? 3,
          // A retry waits: the process of a worker that died may still hold the run folder's
          // lock until it notices (between two synchronous steps) and exits.
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: { age: KEEP_SECONDS },
          removeOnFail: { age: KEEP_SECONDS },
        },
      })),
    );
    logger.info(
      `queue ${target.shown}: ${fresh.length} runs enqueued, ${attached} already there; waiting for ${pending.size}`,
    );

    while (pending.size > 0 || countPending() > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, sweepMs);
      });
      if (failure) throw failure;
      if (pending.size === 0) {
        await finishing;
        continue;
      }
      try {
        // A command sent just before the server went away may never be answered: bounded waits.
        const client = (await withTimeout(queue.client, sweepMs * 4)) as unknown as {
          ping(): Promise<string>;
        };
        await withTimeout(client.ping(), sweepMs * 4);
        // Events are the fast path; this sweep is the safety net for a missed one (a reconnect).
        // It checks a bounded slice per round, so a queue of 100,000 runs costs no flood.
        const all = [...pending];
        const start = (sweepRound++ * SWEEP_SLICE) % all.length;
        for (const id of [
          ...all.slice(start, start + SWEEP_SLICE),
          ...all.slice(0, Math.max(0, start + SWEEP_SLICE - all.length)),
        ]) {
          const state = await withTimeout(checkJob(id), sweepMs * 4);
          if (state === 'missing')
            throw new MergebenchError(
              `queue ${target.shown}: job ${id} (${runs[indicesOf.get(id)![0]].label}) is gone from the queue (Redis restarted without its data, or the job was removed); run the same command again to enqueue it anew`,
            );
        }
        watch.ok();
      } catch (e) {
        if (e instanceof MergebenchError) throw e;
        watch.failed(e, pending.size);
      }
    }
    await finishing;
    if (failure) throw failure;
    return outcomes as QueuedOutcome[];
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
  }
}
