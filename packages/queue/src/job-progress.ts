import type { ProgressUpdate } from '@mergebench/core';

/** What a running job reports through BullMQ's job progress, and `queue status` shows. */
export interface JobProgress {
  /** `host:pid` of the worker running it. */
  readonly worker: string;
  readonly loop?: string;
  readonly step?: number;
  readonly total?: number;
  readonly loss?: number;
  /** Seconds left in the current loop, from its rate since the job started. */
  readonly etaSeconds?: number;
}

/**
 * Turns a run's training steps into job progress, at most once per `intervalMs` (every step of
 * a fast loop would be a Redis write), but always the last step of a loop.
 */
export function progressThrottle(
  worker: string,
  send: (progress: JobProgress) => void,
  intervalMs = 1000,
  now: () => number = Date.now,
): (update: ProgressUpdate) => void {
  let first: { loop: string; step: number; at: number } | undefined;
  let lastSent = Number.NEGATIVE_INFINITY;
  return (u) => {
    const t = now();
    if (!first || first.loop !== u.loop) first = { loop: u.loop, step: u.step, at: t };
    if (t - lastSent < intervalMs && u.step < u.total) return;
    lastSent = t;
    const rate = (u.step - first.step) / Math.max(1e-3, (t - first.at) / 1000);
    send({
      worker,
      loop: u.loop,
      step: u.step,
      total: u.total,
      loss: u.loss,
      ...(rate > 0 ? { etaSeconds: (u.total - u.step) / rate } : {}),
    });
  };
}
