import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { type QueuedOutcome, runQueued } from './coordinator.js';
import { queueStatus } from './queue-status.js';
import { parseRedisUrl } from './redis-url.js';
import type { RunJobResult } from './run-job.js';
import { CLI, packageDir, redisFor, stopWorkers, toyJobs, workers } from './test-support.test.helpers.js';

const okResults = (outcomes: QueuedOutcome[]): RunJobResult[] =>
  outcomes.map((o) => {
    if (!o.ok) throw new Error(o.error);
    return o.result;
  });

describe('suite runs over BullMQ workers on a real redis-server', () => {
  it('runs each job once on two worker processes, reports through the job, status, SIGTERM, no password in any output', async () => {
    const password = 's3cret-pw';
    const redis = await redisFor({ password });
    const target = parseRedisUrl(redis.url);
    const runsDir = mkdtempSync(path.join(tmpdir(), 'mb-queue-runs-'));
    const pool = workers(redis.url, 2, ['--concurrency', '2']);
    const jobs = await toyJobs(runsDir, 4);
    const logger = memoryLogger();
    const written: number[] = [];
    const outcomes = await runQueued({
      target,
      runs: jobs,
      logger,
      onResult: async (i) => {
        written.push(i);
      },
    });
    const results = okResults(outcomes);
    expect(written.sort()).toEqual([0, 1, 2, 3]);
    for (const [i, r] of results.entries()) {
      expect(r.report.configHash).toBe(jobs[i].runHash);
      expect(r.report.runName).toBe(`toy-${i}`);
      // A shared folder: the worker wrote the run where the coordinator would have.
      expect(JSON.parse(readFileSync(path.join(runsDir, `toy-${i}`, 'report.json'), 'utf8')).configHash).toBe(
        jobs[i].runHash,
      );
    }
    // Both workers took jobs.
    expect(new Set(results.map((r) => r.worker.split(':')[1]))).toEqual(
      new Set(pool.map((w) => String(w.child.pid))),
    );

    // Enqueued again (a second suite, a restarted coordinator): attached to, nothing runs twice.
    const again = await runQueued({ target, runs: jobs, logger });
    expect(okResults(again).map((r) => r.report.createdAt)).toEqual(results.map((r) => r.report.createdAt));
    expect(logger.lines.some((l) => /0 runs enqueued, 4 already there/.test(l))).toBe(true);

    const status = await queueStatus(target);
    expect(status).toMatch(/: 0 waiting, 0 running, 4 done, 0 failed$/);

    // `mergebench queue status` through the CLI, found among installed plugins.
    const { execFileSync } = await import('node:child_process');
    const cliStatus = execFileSync(process.execPath, [CLI, 'queue', 'status', redis.url], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(cliStatus).toContain('4 done');
    expect(cliStatus).toContain('redis://:***@127.0.0.1');

    await stopWorkers(pool);
    for (const w of pool) {
      expect(await w.exited).toBe(0);
      expect(w.log()).toMatch(/SIGTERM: finishing the running jobs/);
    }
    const everything = [
      ...pool.map((w) => w.log()),
      ...logger.lines,
      status,
      cliStatus,
      ...jobs.map((_, i) => readFileSync(path.join(runsDir, `toy-${i}`, 'report.json'), 'utf8')),
    ].join('\n');
    expect(everything).toContain('***');
    expect(everything).not.toContain(password);
  });
});
