import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { composeConfig } from './compose.js';
import { parseOverrides } from './overrides.js';
import type { PresetResolver } from './presets.js';
import { RUN_CONFIG_DEFAULTS } from './run-config.js';

let root: string;
let projectDir: string;
let cwd: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mergebench-compose-'));
  projectDir = path.join(root, 'project');
  cwd = path.join(root, 'cwd');
  mkdirSync(projectDir);
  mkdirSync(cwd);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const pools = { modelpool: { name: 'clip-vit' }, taskpool: { name: 'image-classification' } };

describe('composeConfig', () => {
  it('fills the run settings with their defaults', () => {
    const config = composeConfig({ fileConfig: { method: 'ties', ...pools }, cwd });
    expect(config).toEqual({ method: { name: 'ties' }, ...pools, ...RUN_CONFIG_DEFAULTS });
  });

  it('layers config file, preset and command line in that order', () => {
    write(
      path.join(projectDir, 'configs/method/ties.yaml'),
      'name: ties\nscaling_factor: 0.3\nthreshold: 20\nk: 1\n',
    );
    const config = composeConfig({
      fileConfig: { method: { preset: 'ties', threshold: 10, k: 2 }, ...pools, seed: 7 },
      fileDir: projectDir,
      overrides: parseOverrides(['method.k=3', 'seed=1']),
      cwd,
    });
    expect(config.method).toEqual({ name: 'ties', scaling_factor: 0.3, threshold: 10, k: 3 });
    expect(config.seed).toBe(1);
  });

  it('expands a command-line preset before the dotted keys of that component, whatever their order', () => {
    write(path.join(cwd, 'configs/method/ties.yaml'), 'name: ties\nscaling_factor: 0.3\nthreshold: 20\n');
    const config = composeConfig({
      fileConfig: { method: { name: 'task-arithmetic', scaling_factor: 0.1 }, ...pools },
      overrides: parseOverrides(['method.scaling_factor=0.4', 'method=ties']),
      cwd,
    });
    expect(config.method).toEqual({ name: 'ties', scaling_factor: 0.4, threshold: 20 });
  });

  it('works without a config file, the command line naming every component', () => {
    const resolver: PresetResolver = (kind, name) =>
      kind === 'modelpool' && name === 'clip-vit-b32'
        ? {
            file: '/plugin/configs/modelpool/clip-vit-b32.yaml',
            values: { name: 'clip-vit', models: { a: './a' } },
          }
        : undefined;
    const config = composeConfig({
      overrides: parseOverrides([
        'method=ties',
        'modelpool=clip-vit-b32',
        'taskpool=eight-tasks',
        'method.scaling_factor=0.4',
        'seed=1',
      ]),
      resolver,
      cwd,
    });
    expect(config).toMatchObject({
      method: { name: 'ties', scaling_factor: 0.4 },
      modelpool: { name: 'clip-vit', models: { a: './a' } },
      taskpool: { name: 'eight-tasks' },
      seed: 1,
    });
  });

  it("resolves the file's preset paths against its folder first and the command line's against cwd first", () => {
    write(path.join(projectDir, 'ties.yaml'), 'name: ties\nthreshold: 1\n');
    write(path.join(cwd, 'ties.yaml'), 'name: ties\nthreshold: 2\n');
    const fromFile = composeConfig({
      fileConfig: { method: 'ties.yaml', ...pools },
      fileDir: projectDir,
      cwd,
    });
    expect(fromFile.method.threshold).toBe(1);
    const fromCommandLine = composeConfig({
      fileConfig: pools,
      fileDir: projectDir,
      overrides: parseOverrides(['method=ties.yaml']),
      cwd,
    });
    expect(fromCommandLine.method.threshold).toBe(2);
  });

  it('finds a file preset in cwd when the config folder has none', () => {
    write(path.join(cwd, 'configs/taskpool/two.yaml'), 'name: image-classification\ntasks: [mnist, svhn]\n');
    const config = composeConfig({
      fileConfig: { method: 'ties', modelpool: 'clip-vit', taskpool: 'two' },
      fileDir: projectDir,
      cwd,
    });
    expect(config.taskpool).toEqual({ name: 'image-classification', tasks: ['mnist', 'svhn'] });
  });

  it('rejects an unknown top-level key from the command line', () => {
    expect(() =>
      composeConfig({
        fileConfig: { method: 'ties', ...pools },
        overrides: parseOverrides(['metod=ties']),
        cwd,
      }),
    ).toThrow(
      new MergebenchError(
        'metod: unknown key; known keys: method, modelpool, taskpool, plugins, seed, backend, output_dir, run_name, save_model, held_out',
      ),
    );
  });

  it('rejects a dotted override into a run setting', () => {
    expect(() =>
      composeConfig({
        fileConfig: { method: 'ties', ...pools, seed: 3 },
        overrides: parseOverrides(['seed.x=1']),
        cwd,
      }),
    ).toThrow(new MergebenchError('Cannot set seed.x: seed is 3, not a mapping of keys'));
    expect(() =>
      composeConfig({
        fileConfig: { method: 'ties', ...pools },
        overrides: parseOverrides(['seed.x=1']),
        cwd,
      }),
    ).toThrow(new MergebenchError('seed: expected an integer, got {x: 1}'));
  });

  it('requires every component', () => {
    expect(() => composeConfig({ fileConfig: { method: 'ties', modelpool: 'clip-vit' }, cwd })).toThrow(
      new MergebenchError(
        'taskpool: missing; expected a component, e.g. taskpool=<name> on the command line or taskpool: { name: <name> } in the config file',
      ),
    );
  });
  it('follows a component name that is an alias preset, keeping the values given', () => {
    write(path.join(cwd, 'configs/method/fb/clip.yaml'), 'name: layer-wise\nlr: 0.001\nmax_steps: 1000\n');
    write(path.join(cwd, 'configs/method/clip_task_wise.yaml'), 'name: task-wise\nlr: 0.01\nclamp: false\n');
    const config = composeConfig({
      overrides: parseOverrides(['method=fb/clip', 'method.name=clip_task_wise', 'method.max_steps=5']),
      fileConfig: pools,
      cwd,
    });
    expect(config.method).toEqual({ name: 'task-wise', lr: 0.001, max_steps: 5, clamp: false });
  });

  it('leaves a name alone when its preset names the same component', () => {
    write(path.join(cwd, 'configs/method/ties.yaml'), 'name: ties\nthreshold: 20\n');
    const config = composeConfig({ fileConfig: { method: { name: 'ties' }, ...pools }, cwd });
    expect(config.method).toEqual({ name: 'ties' });
  });
});
