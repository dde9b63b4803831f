import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Component } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { definePlugin } from '../contracts/plugin.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { memoryLogger } from './loggers.js';
import { runProgram } from './run.js';

const failing: Component<Method> = {
  info: { kind: 'method', name: 'failing', description: 'Throws during run.', params: [] },
  create: () => ({
    run: async () => {
      throw new Error('the method broke');
    },
  }),
};

function registryWith(component: Component<Method>): ComponentRegistry {
  const registry = new ComponentRegistry();
  registerPlugin(registry, definePlugin({ name: 'test-plugin', register: (r) => r.method(component) }));
  return registry;
}

describe('runProgram', () => {
  it('leaves no run folder behind when the method fails', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-run-'));
    await expect(
      runProgram({
        cwd,
        registry: registryWith(failing),
        overrides: ['method=failing', 'modelpool=toy', 'taskpool=toy', 'backend=cpu', 'run_name=x'],
      }),
    ).rejects.toThrow('the method broke');
    expect(existsSync(path.join(cwd, 'runs', 'x'))).toBe(false);
  });

  it('saves the merged model atomically when asked, and evaluates it', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-run-'));
    const logger = memoryLogger();
    const { report, runDir } = await runProgram({
      cwd,
      logger,
      overrides: [
        'method=dummy',
        'modelpool=toy',
        'taskpool=toy',
        'backend=cpu',
        'save_model=merged',
        'seed=7',
      ],
    });
    expect(readdirSync(path.join(cwd, 'merged')).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(readdirSync(runDir)).toEqual(['report.json']);
    expect(report.seed).toBe(7);
    expect(report.results?.average.accuracy).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.startsWith('saved merged model to'))).toBe(true);
  });

  it('defers to MERGEBENCH_BACKEND when the config leaves the backend at auto', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-run-'));
    const before = process.env.MERGEBENCH_BACKEND;
    process.env.MERGEBENCH_BACKEND = 'cpu';
    try {
      const { report } = await runProgram({
        cwd,
        overrides: ['method=dummy', 'modelpool=toy', 'taskpool=toy'],
      });
      expect(report.backend.name).toBe('cpu');
      process.env.MERGEBENCH_BACKEND = 'no-such-backend';
      await expect(
        runProgram({ cwd, overrides: ['method=dummy', 'modelpool=toy', 'taskpool=toy', 'run_name=y'] }),
      ).rejects.toThrow(
        "backend: expected auto or one of tfjs-node-gpu, webgpu, tfjs-node, native, wasm, cpu, got 'no-such-backend'",
      );
    } finally {
      if (before === undefined) delete process.env.MERGEBENCH_BACKEND;
      else process.env.MERGEBENCH_BACKEND = before;
    }
  });
});
