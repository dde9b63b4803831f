import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../program/loggers.js';
import { loadBackendPackages } from './discover.js';
import { findBackend, registerBackend, registeredBackends, removeBackend } from './registry.js';
import { selectBackend } from './select.js';

/** A project folder with backend packages installed in its node_modules. */
function projectWith(packages: Record<string, { exports?: boolean; source: string }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mb-backends-'));
  for (const [name, { exports = true, source }] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name,
        type: 'module',
        keywords: ['mergebench-backend'],
        exports: { '.': './index.js', ...(exports ? { './mergebench-backend': './backend.js' } : {}) },
      }),
    );
    writeFileSync(path.join(dir, 'index.js'), 'throw new Error("the main entry is not loaded");\n');
    writeFileSync(path.join(dir, 'backend.js'), source);
  }
  return root;
}

const added = ['test-fast', 'test-broken', 'test-slow'];
afterAll(async () => {
  for (const name of added) removeBackend(name);
  await tf.setBackend('cpu');
});

describe('the backend registry', () => {
  it('picks a backend registered by a package by its priority, saying why higher ones were passed over', async () => {
    const project = projectWith({
      'mb-test-fast': {
        // Runs on tfjs's cpu backend under a name of its own.
        source:
          "export default { name: 'test-fast', tfjsName: 'cpu', priority: 100, probe: async () => ({ ok: true, device: 'test device' }) };\n",
      },
      'mb-test-broken': {
        source:
          "export default [{ name: 'test-broken', priority: 101, probe: async () => ({ ok: false, reason: 'no test device here' }) }];\n",
      },
      'mb-no-entry': { exports: false, source: '' },
    });
    const failures = await loadBackendPackages(project);
    expect(failures).toEqual([
      { spec: 'mb-no-entry', error: "package.json exports no './mergebench-backend'" },
    ]);
    expect(
      registeredBackends()
        .map((b) => b.name)
        .slice(0, 2),
    ).toEqual(['test-broken', 'test-fast']);
    // The built-in tfjs backends are there too, in tfjs's order.
    const names = registeredBackends().map((b) => b.name);
    expect(names.indexOf('wasm')).toBeLessThan(names.indexOf('cpu'));

    const logger = memoryLogger();
    const choice = await selectBackend('auto', logger);
    expect(choice).toEqual({
      name: 'test-fast',
      note: 'test-broken: no test device here',
      device: 'test device',
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(logger.lines).toContain(
      'backend: using test-fast on test device (test-broken: no test device here)',
    );
    await expect(selectBackend('test-broken')).rejects.toThrow(
      "backend 'test-broken' is not available: no test device here",
    );
  });

  it('lets a lower priority run when auto is told to pass over one that runs', async () => {
    registerBackend({
      name: 'test-slow',
      tfjsName: 'cpu',
      priority: 200,
      probe: async ({ auto }) => ({ ok: true, ...(auto ? { autoSkip: 'only a test device' } : {}) }),
    });
    expect((await selectBackend('auto')).note).toMatch(/^test-slow: only a test device; test-broken: /);
    expect(await selectBackend('test-slow')).toEqual({ name: 'test-slow' });
    expect(findBackend('test-slow')?.priority).toBe(200);
  });

  it('names the registered backends when asked for one that is not', async () => {
    await expect(selectBackend('no-such-backend')).rejects.toThrow(
      /^backend: expected auto or one of test-slow, test-broken, test-fast, tfjs-node-gpu, .*, got 'no-such-backend'$/,
    );
    expect(() => registerBackend({ name: 'x' } as never)).toThrow(/expected \{ name, priority, probe/);
  });
});
