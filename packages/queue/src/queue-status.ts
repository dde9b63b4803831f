import { formatDuration, MergebenchError } from '@mergebench/core';
import { Queue } from 'bullmq';
import type { JobProgress } from './job-progress.js';
import type { RedisTarget } from './redis-url.js';
import { RUN_QUEUE, type RunJobData } from './run-job.js';

/** `mergebench queue status`: counts, the running jobs (worker, step), the failed ones (error). */
export async function queueStatus(target: RedisTarget, timeoutMs = 10_000): Promise<string> {
  const queue = new Queue<RunJobData>(RUN_QUEUE, {
    connection: {
      ...target.connection,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    } as typeof target.connection,
  });
  let lastError: Error | undefined;
  queue.on('error', (e) => {
    lastError = e;
  });
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, reject) => setTimeout(() => reject(lastError ?? new Error('no answer')), timeoutMs)),
    ]).catch((e: Error) => {
      throw new MergebenchError(`queue ${target.shown} unreachable: ${e.message.split('\n')[0]}`);
    });
    const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    const waiting = c.waiting + c.prioritized + c.delayed;
    const lines = [
      `queue ${target.shown}: ${waiting} waiting, ${c.active} running, ${c.completed} done, ${c.failed} failed`,
    ];
    const active = await queue.getJobs(['active'], 0, 99);
    if (active.length > 0) lines.push('running:');
    for (const job of active) {
      const p = (typeof job.progress === 'object' ? job.progress : {}) as Partial<JobProgress>;
      const step =
        p.step !== undefined
          ? `, ${p.loop} step ${p.step}/${p.total}, loss ${p.loss?.toFixed(4)}${p.etaSeconds !== undefined ? `, ETA ${formatDuration(p.etaSeconds)}` : ''}`
          : '';
      lines.push(`  ${job.data.label} (${job.id}) on ${p.worker ?? '?'}${step}`);
    }
    const failed = await queue.getJobs(['failed'], 0, 19);
    if (failed.length > 0) lines.push('failed:');
    for (const job of failed)
      lines.push(`  ${job.data.label} (${job.id}): ${job.failedReason.split('\n')[0]}`);
    return lines.join('\n');
  } finally {
    await queue.close();
  }
}
