// Queue overhead per job (@mergebench/queue): 1,000 no-op jobs over 8 worker processes on one
// machine, through the real coordinator (runQueued) and the real worker loop; Redis memory per
// finished job. Starts its own redis-server (on PATH; scripts/setup.sh installs it).
//   pnpm --filter @mergebench/bench-speed bench:queue-overhead [--jobs 1000] [--workers 8]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRun, runProgram, silentLogger } from '@mergebench/core';
import {
  type JobTiming,
  parseRedisUrl,
  prepareRunJob,
  RUN_QUEUE,
  type RunJobData,
  runQueued,
} from '@mergebench/queue';
import { Queue } from 'bullmq';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const JOBS = arg('jobs', 1000);
const WORKERS = arg('workers', 8);
const here = path.dirname(fileURLToPath(import.meta.url));

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
const dir = mkdtempSync(path.join(tmpdir(), 'mb-queue-bench-'));
const children: ChildProcess[] = [];
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
  {
    stdio: 'ignore',
  },
);
children.push(redis);
const url = `redis://127.0.0.1:${port}`;
const target = parseRedisUrl(url);

try {
  // A real job payload and a real report, from one toy run.
  const runs = path.join(dir, 'runs');
  const overrides = ['method=dummy', 'modelpool=toy', 'taskpool=toy', 'modelpool.finetune_steps=5'];
  const { config } = await resolveRun({ cwd: dir, overrides });
  const template = await prepareRunJob({
    label: 'noop',
    runDir: path.join(runs, 'noop'),
    config: config as unknown as Record<string, unknown>,
    baseDir: dir,
  });
  const { report } = await runProgram({
    cwd: dir,
    overrides: [...overrides, `output_dir=${runs}`, 'run_name=noop'],
  });
  const resultFile = path.join(dir, 'result.json');
  writeFileSync(resultFile, JSON.stringify({ report }));
  const job = (i: number, tag: string): RunJobData => ({
    ...template,
    label: `noop-${tag}-${i}`,
    configHash: randomBytes(32).toString('hex'),
  });

  const workers = Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, [path.join(here, 'noop-worker.js'), url, resultFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  children.push(...workers);
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => w.stdout?.on('data', (d) => String(d).includes('ready') && resolve())),
    ),
  );

  const queue = new Queue(RUN_QUEUE, { connection: target.connection });
  const usedMemory = async () => {
    const info = await ((await queue.client) as unknown as { info(s: string): Promise<string> }).info(
      'memory',
    );
    return Number(/used_memory:(\d+)/.exec(info)![1]);
  };
  const memoryBefore = await usedMemory();

  // Paced: as many jobs at a time as there are workers, as when runs take hours and a worker is
  // free when its job comes; the overhead is the queue's, not time spent waiting for a worker.
  const timings: JobTiming[] = [];
  for (let start = 0; start < JOBS; start += WORKERS) {
    const batch = Array.from({ length: Math.min(WORKERS, JOBS - start) }, (_, k) => job(start + k, 'paced'));
    const outcomes = await runQueued({ target, runs: batch, logger: silentLogger, sweepMs: 5000 });
    for (const o of outcomes) if (o.ok) timings.push(o.timing);
  }
  const memoryAfter = await usedMemory();

  // Saturated: every job enqueued at once; throughput of the whole loop.
  const t0 = Date.now();
  const all = await runQueued({
    target,
    runs: Array.from({ length: JOBS }, (_, i) => job(i, 'burst')),
    logger: silentLogger,
  });
  const wall = (Date.now() - t0) / 1000;
  await queue.close();

  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  const pickup = timings.map((t) => t.startedAt! - t.enqueuedAt!);
  const delivery = timings.map((t) => t.receivedAt - t.endedAt!);
  const total = pickup.map((p, i) => p + delivery[i]);
  const line = (name: string, v: number[]) =>
    `${name.padEnd(34)} median ${quantile(v, 0.5).toFixed(1).padStart(6)} ms   p99 ${quantile(v, 0.99).toFixed(1).padStart(6)} ms`;
  console.log(
    `queue overhead: ${JOBS} no-op jobs, ${WORKERS} worker processes, ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(line('enqueue → worker starts the run', pickup));
  console.log(line('run ends → result at coordinator', delivery));
  console.log(line('overhead per job (both)', total));
  console.log(
    `saturated: ${JOBS} jobs at once: ${wall.toFixed(1)} s, ${(JOBS / wall).toFixed(0)} jobs/s (${all.filter((o) => o.ok).length} ok)`,
  );
  console.log(
    `Redis memory per finished job (payload ${JSON.stringify(template).length} B, result ${JSON.stringify({ report }).length} B as JSON): ${((memoryAfter - memoryBefore) / JOBS).toFixed(0)} B`,
  );
} finally {
  for (const c of children.reverse()) c.kill('SIGKILL');
}
process.exit(0);
