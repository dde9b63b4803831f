import { mkdirSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireRunLock, memoryLogger } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { planSuite, runSuite, suiteRegistry } from './suite.js';
import { parseSuite } from './suite-file.js';
import type { SuiteTarget } from './suite-target.js';

describe('suites that never lie', () => {
  it('does not run a suite run whose folder another process is writing, naming the holder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-suite-lock-'));
    const target: SuiteTarget = {
      dir,
      cwd: dir,
      overrides: ['modelpool=toy', 'taskpool=toy', 'backend=cpu', `output_dir=${path.join(dir, 'runs')}`],
      tasks: ['toy0', 'toy1', 'toy2'],
      where: 'toy pools',
    };
    const suite = parseSuite(
      path.join(dir, 'suite.yaml'),
      'name: t\nruns:\n  - label: plain\n    method: dummy\n',
    );
    const registry = await suiteRegistry(suite, dir);
    const plan = await planSuite(target, suite, registry);
    mkdirSync(path.dirname(plan[0].dir), { recursive: true });
    const held = await acquireRunLock(plan[0].dir);
    try {
      const [outcome] = await runSuite(target, plan, registry, memoryLogger());
      expect(outcome).toMatchObject({
        ok: false,
        error: expect.stringContaining(`is in use by process ${process.pid} on ${hostname()}`),
      });
    } finally {
      await held.release();
    }
    const [outcome] = await runSuite(target, plan, registry, memoryLogger());
    expect(outcome.ok).toBe(true);
  });
});
