import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MergebenchError, memoryLogger } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { runQueued } from './coordinator.js';
import { parseRedisUrl } from './redis-url.js';
import {
  cleanups,
  redisFor,
  spawnWorker,
  stopWorkers,
  toyJobs,
  waitFor,
  workers,
} from './test-support.test.helpers.js';

const runsFolder = () => mkdtempSync(path.join(tmpdir(), 'mb-queue-faults-'));
/** Runs of a few seconds: the toy pool fine-tunes longer. */
const SLOW = ['modelpool.finetune_steps=150'];

describe('queue faults, on a real redis-server and real worker processes', () => {
  it('a worker SIGKILLed mid-job: the job is retried on another worker, every run completes exactly once', async () => {
    const redis = await redisFor();
    const target = parseRedisUrl(redis.url);
    const runsDir = runsFolder();
    // The killed job must still be running when its worker dies: make it long enough, whatever the load.
    const jobs = await toyJobs(runsDir, 3, ['modelpool.finetune_steps=500']);
    const [doomed] = workers(redis.url, 1);
    const counts = new Map<number, number>();
    const suite = runQueued({
      target,
      runs: jobs,
      logger: memoryLogger(),
      onResult: async (i) => {
        counts.set(i, (counts.get(i) ?? 0) + 1);
      },
    });
    await waitFor(() => /job run-\w+ toy-0 \(attempt 1\)/.test(doomed.log()), 'the first job to start');
    await new Promise((r) => setTimeout(r, 300));
    expect(doomed.log()).not.toMatch(/toy-1/); // toy-0 has not finished yet
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const [rescuer] = workers(redis.url, 1);
    const outcomes = await suite;
    // Failures listed with their errors, so that a failure says why.
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect([...counts.entries()].sort()).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    // The killed worker's job ran again, from the start (toy runs have no checkpoint), elsewhere.
    const first = outcomes[0];
    expect(first.ok && first.result.worker).toBe(
      `${first.ok && first.result.worker.split(':')[0]}:${rescuer.child.pid}`,
    );
    expect(rescuer.log()).toMatch(/toy-0 \(attempt \d\)/);
  });

  it('SIGTERM twice hands the running job back: another worker runs it, not counted as a failure', async () => {
    const redis = await redisFor();
    const target = parseRedisUrl(redis.url);
    const jobs = await toyJobs(runsFolder(), 1, SLOW);
    const [leaving] = workers(redis.url, 1);
    const suite = runQueued({ target, runs: jobs, logger: memoryLogger(), attempts: 1 });
    await waitFor(() => /toy-0 \(attempt 1\)/.test(leaving.log()), 'the job to start');
    leaving.child.kill('SIGTERM');
    await waitFor(() => /finishing the running jobs/.test(leaving.log()), 'the first SIGTERM');
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(leaving.log()).toMatch(/handing the running jobs back to the queue/);
    const [next] = workers(redis.url, 1);
    const [outcome] = await suite;
    expect(outcome.ok && outcome.result.worker.endsWith(`:${next.child.pid}`)).toBe(true);
  });

  it('Redis stopped mid-suite: one clear line; a rerun once Redis is back completes the suite', async () => {
    const redis = await redisFor();
    const target = parseRedisUrl(redis.url);
    const runsDir = runsFolder();
    const jobs = await toyJobs(runsDir, 3, SLOW);
    workers(redis.url, 1);
    let received = 0;
    const suite = runQueued({
      target,
      runs: jobs,
      logger: memoryLogger(),
      unreachableMs: 3000,
      sweepMs: 500,
      onResult: async () => {
        received += 1;
      },
    });
    await waitFor(() => received >= 1, 'the first result');
    await redis.stop();
    const error = await suite.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MergebenchError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^queue redis://127\\.0\\.0\\.1:${redis.port} unreachable for \\d+ s \\(.*\\); \\d runs unfinished stay queued there: run the same command again once Redis is back$`,
      ),
    );
    await redis.start(); // empty: the jobs are enqueued anew; the worker reconnects by itself
    const rerun = await runQueued({ target, runs: jobs, logger: memoryLogger() });
    expect(rerun.map((o) => o.ok)).toEqual([true, true, true]);
  });

  it('a job naming a plugin path fails with one line and imports nothing; other weights fail naming the hash mismatch', async () => {
    const redis = await redisFor();
    const target = parseRedisUrl(redis.url);
    const runsDir = runsFolder();
    const marker = path.join(runsDir, 'imported.txt');
    writeFileSync(
      path.join(runsDir, 'evil.mjs'),
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export default { name: 'evil', register() {} };`,
    );
    const [plain, weights] = await toyJobs(runsDir, 2);
    const evil = { ...plain, config: { ...plain.config, plugins: ['./evil.mjs'] } };

    // The worker's copy of an input differs from the coordinator's.
    writeFileSync(path.join(runsDir, 'weights.bin'), 'the coordinator weights');
    const elsewhere = runsFolder();
    writeFileSync(path.join(elsewhere, 'weights.bin'), 'other weights');
    const sha = createHash('sha256').update('the coordinator weights').digest('hex');
    const checked = {
      ...weights,
      inputs: [{ key: 'modelpool.weights', path: './weights.bin', sha256: sha }],
    };

    const w = spawnWorker(redis.url, ['--inputs', elsewhere]);
    cleanups.push(() => stopWorkers([w]));
    const outcomes = await runQueued({ target, runs: [evil, checked], logger: memoryLogger(), attempts: 1 });
    expect(outcomes[0]).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^job run-\w+: plugin path \.\/evil\.mjs: a worker loads installed packages by name only/,
      ),
    });
    expect(existsSync(marker)).toBe(false);
    expect(outcomes[1]).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^input \.\/weights\.bin \(modelpool\.weights\): content hash mismatch: [0-9a-f]{16}… on this worker \(.*weights\.bin\), the job expects [0-9a-f]{16}…; not running on other weights$/,
      ),
    });
  });
});
