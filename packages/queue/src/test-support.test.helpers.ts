// Test support: a real redis-server on 127.0.0.1 on a free port, and real worker processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRun } from '@mergebench/core';
import { afterEach } from 'vitest';
import { prepareRunJob } from './prepare-job.js';
import type { RunJobData } from './run-job.js';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The mergebench CLI, as installed: worker and queue commands come from this package. */
export const CLI = path.resolve(packageDir, '..', 'core', 'dist', 'cli', 'main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` is true, polling; fails after `ms` naming `what`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server without persistence (a restart starts empty), password optional. */
export async function testRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-redis-'));
  let server: ChildProcess | undefined;
  const auth = options.password ? `:${options.password}@` : '';
  const redis: TestRedis = {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    async start() {
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ];
      if (options.password) args.push('--requirepass', options.password);
      const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      server = child;
      let out = '';
      child.stdout?.on('data', (d) => {
        out += String(d);
      });
      await waitFor(
        () => out.includes('Ready to accept connections') || child.exitCode !== null,
        'redis-server',
        10_000,
      );
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    },
    async stop() {
      const child = server;
      server = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  return redis;
}

/** A running `mergebench worker` process; its stderr is collected. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly log: () => string;
  readonly exited: Promise<number | null>;
}

export function spawnWorker(url: string, args: readonly string[] = [], cwd = packageDir): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--lock-ms', '3000', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => {
    log += String(d);
  });
  child.stderr?.on('data', (d) => {
    log += String(d);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, log: () => log, exited };
}

/** Stops worker processes: SIGTERM, then SIGKILL after a while. */
export async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  await Promise.race([Promise.all(workers.map((w) => w.exited)), sleep(15_000)]);
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
}

export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function redisFor(options: { password?: string } = {}): Promise<TestRedis> {
  const redis = await testRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

export function workers(url: string, n: number, args: string[] = []): WorkerProcess[] {
  const started = Array.from({ length: n }, () => spawnWorker(url, args));
  cleanups.push(() => stopWorkers(started));
  return started;
}

/** Toy runs (the built-in dummy method on the in-memory toy pools): a second or two each. */
export async function toyJobs(runsDir: string, n: number, extra: string[] = []): Promise<RunJobData[]> {
  const jobs: RunJobData[] = [];
  for (let i = 0; i < n; i++) {
    const overrides = [
      'method=dummy',
      'modelpool=toy',
      'taskpool=toy',
      'modelpool.finetune_steps=5',
      `seed=${i}`,
      ...extra,
    ];
    const { config } = await resolveRun({ cwd: runsDir, overrides });
    jobs.push(
      await prepareRunJob({
        label: `toy-${i}`,
        runDir: path.join(runsDir, `toy-${i}`),
        config: config as unknown as Record<string, unknown>,
        baseDir: runsDir,
      }),
    );
  }
  return jobs;
}
