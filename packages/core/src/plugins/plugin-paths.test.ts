import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRun } from '../program/resolve-config.js';
import { loadPlugin } from './load.js';
import { ComponentRegistry } from './registry.js';

/** A plugin file that leaves a marker when imported, so a test can tell whether it ran. */
function pluginFile(dir: string): { file: string; ran: () => boolean } {
  const marker = path.join(dir, 'ran.txt');
  const file = path.join(dir, 'x.mjs');
  writeFileSync(
    file,
    `import { writeFileSync } from 'node:fs';
     writeFileSync(${JSON.stringify(marker)}, 'imported');
     export default { name: 'pathy', register(r) {
       r.method({ info: { kind: 'method', name: 'pathy', description: 'x', params: [] },
                  create: () => ({ run: async () => { throw new Error('not run'); } }) });
     } };`,
  );
  return { file, ran: () => existsSync(marker) };
}

const TOY = ['modelpool=toy', 'taskpool=toy'];
const NEEDS_FLAG =
  /plugin path .*x\.mjs \(from the command line\): importing code from a path needs --allow-plugin-paths/;

describe('plugins load from a path only where the user allowed code', () => {
  it('method=<path> on the command line imports nothing without --allow-plugin-paths', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-'));
    const { file, ran } = pluginFile(dir);
    await expect(resolveRun({ cwd: dir, overrides: [`method=${file}`, ...TOY] })).rejects.toThrow(NEEDS_FLAG);
    expect(ran()).toBe(false);
  });

  it('plugins=[<path>] on the command line imports nothing without the flag, and loads with it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-'));
    const { file, ran } = pluginFile(dir);
    const overrides = [`plugins=[${file}]`, 'method=pathy', ...TOY];
    await expect(resolveRun({ cwd: dir, overrides })).rejects.toThrow(NEEDS_FLAG);
    expect(ran()).toBe(false);
    const resolved = await resolveRun({ cwd: dir, overrides, pluginPaths: 'allowed' });
    expect(resolved.method.registered.component.info.name).toBe('pathy');
    expect(ran()).toBe(true);
  });

  it('a YAML config file (data, perhaps from someone else) may not load a path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-'));
    const { ran } = pluginFile(dir);
    writeFileSync(path.join(dir, '.mergebenchrc.yaml'), 'plugins: [./x.mjs]\nmethod: pathy\n');
    await expect(resolveRun({ cwd: dir, overrides: TOY })).rejects.toThrow(
      /plugin path \.\/x\.mjs \(from config file .*\.mergebenchrc\.yaml\): importing code from a path needs --allow-plugin-paths/,
    );
    expect(ran()).toBe(false);
  });

  it('a JavaScript config file is code already: the paths it names load', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-'));
    const { ran } = pluginFile(dir);
    writeFileSync(
      path.join(dir, 'mergebench.config.mjs'),
      "export default { plugins: ['./x.mjs'], method: 'pathy' };\n",
    );
    const resolved = await resolveRun({ cwd: dir, overrides: TOY });
    expect(resolved.method.registered.component.info.name).toBe('pathy');
    expect(ran()).toBe(true);
  });

  it('a path is refused by default wherever loadPlugin is called (suite files, embedders)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-'));
    const { file, ran } = pluginFile(dir);
    const origin = { where: 'suite file s.yaml' };
    await expect(loadPlugin(new ComponentRegistry(), file, dir, { origin })).rejects.toThrow(
      /plugin path .*x\.mjs \(from suite file s\.yaml\): importing code from a path needs --allow-plugin-paths/,
    );
    await expect(loadPlugin(new ComponentRegistry(), './x.mjs', dir)).rejects.toThrow(NEEDS_FLAG);
    expect(ran()).toBe(false);
  });
});
