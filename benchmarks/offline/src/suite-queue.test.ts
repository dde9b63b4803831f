import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '@mergebench/core';
import { parseRedisUrl, queueStatus } from '@mergebench/queue';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { leaderboardRows } from './leaderboard.js';
import { planSuite, runSuite, suiteRegistry } from './suite.js';
import { parseSuite } from './suite-file.js';
import { zooTarget } from './suite-target.js';
import { buildZoo } from './zoo/build-zoo.js';
import { TINY_VISION } from './zoo/tiny-vision.test.helpers.js';
import { QUICK_ZOO_SPEC, type ZooSpec } from './zoo/zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.resolve(packageDir, '..', '..', 'packages', 'core', 'dist', 'cli', 'main.js');

const TINY: ZooSpec = {
  ...QUICK_ZOO_SPEC,
  vision: TINY_VISION,
  tasks: ['synthetic-colors', 'synthetic-textures'],
  data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0 },
  pretrain: { ...QUICK_ZOO_SPEC.pretrain, steps: 3, batchSize: 16, lr: 1e-3 },
  finetune: { ...QUICK_ZOO_SPEC.finetune, steps: 4, batchSize: 16, lr: 1e-3 },
};

/** Six quick runs: a per-task pair, a sweep pair, one with a training loop (progress). */
const SUITE_YAML = `
name: queued
runs:
  - label: pretrained
    method: dummy
  - label: individual
    method: dummy
    per_task: true
    overrides: { method.model: '{task}' }
  - label: task-arithmetic
    method: task-arithmetic
    sweep: { method.scaling_factor: [0.1, 0.3] }
  - label: adamerging-task-wise
    method: adamerging-task-wise
    overrides: { method.batch_size: 4, method.max_steps: 3, method.progress: false }
`;

const processes: ChildProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

function start(
  args: string[],
  cwd = packageDir,
): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  let log = '';
  child.stdout?.on('data', (d) => {
    log += String(d);
  });
  child.stderr?.on('data', (d) => {
    log += String(d);
  });
  return { child, log: () => log, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

async function waitFor(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function redisServer(): Promise<{ url: string; stop: () => void }> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  processes.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  await waitFor(() => out.includes('Ready to accept connections'), 'redis-server', 10_000);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/** The leaderboard's rows without the time each method took (it differs from run to run). */
const rowsOf = (outcomes: Parameters<typeof leaderboardRows>[0]) =>
  leaderboardRows(outcomes, TINY.tasks, () => undefined).map(({ methodSeconds: _, ...row }) => row);

describe('offline benchmark --queue', () => {
  it('six runs over two worker processes give the in-process leaderboard; a coordinator killed and restarted reattaches', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-queued-'));
    const zoo = await buildZoo(root, TINY, memoryLogger());
    const backend = tf.getBackend();
    const suiteFile = path.join(root, 'queued.yaml');
    writeFileSync(suiteFile, SUITE_YAML);
    const suite = parseSuite(suiteFile, SUITE_YAML);
    const registry = await suiteRegistry(suite, packageDir);
    const plan = await planSuite(zooTarget(zoo), suite, registry);
    expect(plan).toHaveLength(6);
    const inProcess = rowsOf(await runSuite(zooTarget(zoo), plan, registry, memoryLogger()));

    // Another cache folder: the queued coordinator builds the same zoo there (seeded) and runs everything.
    const queuedRoot = mkdtempSync(path.join(tmpdir(), 'mb-queued-b-'));
    const specFile = path.join(root, 'spec.json');
    writeFileSync(specFile, JSON.stringify(TINY));

    const redis = await redisServer();
    const worker = () =>
      start([CLI, 'worker', '--queue', redis.url, '--backend', backend, '--lock-ms', '2000']);
    const workers = [worker(), worker()];
    const out = path.join(queuedRoot, 'results');
    const coordinator = () =>
      start([
        'dist/main.js',
        '--suite',
        suiteFile,
        '--root',
        queuedRoot,
        '--spec',
        specFile,
        '--backend',
        backend,
        '--no-landscape',
        '--out',
        out,
        '--queue',
        redis.url,
      ]);
    const first = coordinator();
    await waitFor(() => /queue: .* done on /.test(first.log()), 'a first result');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = coordinator();
    expect(await second.exited).toBe(0);
    expect(first.log()).toMatch(/6 runs enqueued, 0 already there/);
    // Restarted: what finished is read from the run folders, the rest is attached to, not enqueued.
    expect(second.log()).toMatch(/suite: 6 runs, [1-6] already done, \d to queue/);
    expect(second.log()).toMatch(/0 runs enqueued, \d already there/);
    expect(second.log() + first.log()).toMatch(/step \d\/3, loss \d/);

    const status = await queueStatus(parseRedisUrl(redis.url));
    expect(status).toMatch(/0 waiting, 0 running, 6 done, 0 failed/);
    const attempts = workers.flatMap((w) => [...w.log().matchAll(/job (run-\w+) .* \(attempt (\d)\)/g)]);
    expect(attempts.map((m) => m[2])).toEqual(['1', '1', '1', '1', '1', '1']);
    expect(new Set(attempts.map((m) => m[1])).size).toBe(6);
    expect(new Set(workers.map((w) => /job run-/.test(w.log())))).toEqual(new Set([true]));

    // The leaderboard the queued suite wrote has the in-process rows.
    const markdown = readFileSync(path.join(out, 'leaderboard.md'), 'utf8');
    for (const row of inProcess) {
      const cells = [row.label, ...TINY.tasks.map((t) => (100 * row.tasks[t]).toFixed(1))];
      expect(markdown).toMatch(
        new RegExp(`^\\| ${cells.map((c) => c.replace(/[()]/g, '\\$&')).join(' \\| ')} \\|`, 'm'),
      );
    }
    // Its run folders hold reports equal to the in-process ones (times aside): reading them runs nothing.
    const zoos = readdirSync(queuedRoot).filter((n) => n.startsWith('zoo-'));
    expect(zoos).toHaveLength(1);
    const queuedZoo = {
      ...zoo,
      dir: path.join(queuedRoot, zoos[0]),
      config: path.join(queuedRoot, zoos[0], 'mergebench.config.yaml'),
    };
    const reading = memoryLogger();
    const queuedPlan = await planSuite(zooTarget(queuedZoo), suite, registry);
    const queued = rowsOf(await runSuite(zooTarget(queuedZoo), queuedPlan, registry, reading));
    expect(reading.lines).toContain('suite: 6 runs, 6 already done, 0 to do');
    expect(queued).toEqual(inProcess);
  }, 300_000);
});
