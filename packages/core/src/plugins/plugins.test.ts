import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dummyMethod } from '../builtin/dummy-method.js';
import { definePlugin } from '../contracts/plugin.js';
import { ensureComponent, loadPlugin, registerPlugin } from './load.js';
import { ComponentRegistry } from './registry.js';
import { discoverPluginPackages } from './resolve-package.js';

/** Writes an installed third-party plugin package into `<root>/node_modules/<name>`. */
function installFakePlugin(root: string, name: string, methodName: string, extra = ''): void {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(path.join(dir, 'configs', 'method'), { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      type: 'module',
      keywords: ['mergebench-plugin'],
      exports: { '.': { import: './index.js' } },
    }),
  );
  writeFileSync(path.join(dir, 'configs', 'method', `${methodName}-paper.yaml`), `name: ${methodName}\n`);
  writeFileSync(
    path.join(dir, 'index.js'),
    `import path from 'node:path';
     import { fileURLToPath } from 'node:url';
     const here = path.dirname(fileURLToPath(import.meta.url));
     ${extra}
     export default {
       name: ${JSON.stringify(name)},
       register(r) {
         r.method({ info: { kind: 'method', name: ${JSON.stringify(methodName)}, description: 'x', params: [] },
                    create: () => ({ run: async () => { throw new Error('not run'); } }) });
         r.presets(path.join(here, 'configs'));
       },
     };`,
  );
}

describe('component registry', () => {
  it('rejects a duplicate name, naming both packages', () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, definePlugin({ name: 'a', register: (r) => r.method(dummyMethod) }));
    expect(() =>
      registerPlugin(registry, definePlugin({ name: 'b', register: (r) => r.method(dummyMethod) })),
    ).toThrow("duplicate method 'dummy': registered by a and by b");
  });

  it('lists what is available for an unknown name', () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, definePlugin({ name: 'a', register: (r) => r.method(dummyMethod) }));
    expect(() => registry.require('method', 'tis')).toThrow("unknown method 'tis'; available: dummy");
  });
});

describe('plugin loading', () => {
  it('loads a third-party package installed outside the workspace, by short name, with its presets', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    installFakePlugin(root, 'mergebench-method-fancy', 'fancy');
    const registry = new ComponentRegistry();
    const found = await ensureComponent(registry, 'method', 'fancy', root);
    expect(found.source).toBe('mergebench-method-fancy');
    expect(registry.findPreset('method', 'fancy-paper')?.values).toEqual({ name: 'fancy' });
    expect(discoverPluginPackages(root)).toContain('mergebench-method-fancy');
  });

  it('finds a name registered by a package named otherwise (one package, several methods)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    installFakePlugin(root, 'mergebench-method-family', 'family-layer-wise');
    const found = await ensureComponent(new ComponentRegistry(), 'method', 'family-layer-wise', root);
    expect(found.source).toBe('mergebench-method-family');
  });

  it('explains an unknown name with the packages it tried', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    const registry = new ComponentRegistry();
    await expect(ensureComponent(registry, 'method', 'nothing', root)).rejects.toThrow(
      /unknown method 'nothing'; available: .*\(tried packages @mergebench\/method-nothing, mergebench-method-nothing/,
    );
  });

  it('reports a package that fails to import in one line', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    installFakePlugin(root, 'mergebench-method-broken', 'broken', "throw new Error('boom');");
    await expect(loadPlugin(new ComponentRegistry(), 'mergebench-method-broken', root)).rejects.toThrow(
      /cannot import plugin mergebench-method-broken from .*index\.js: boom/,
    );
  });

  it('rejects a default export that is not a plugin', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    const dir = path.join(root, 'node_modules', 'mergebench-bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'mergebench-bad', type: 'module', main: 'i.js' }),
    );
    writeFileSync(path.join(dir, 'i.js'), 'export default 42;');
    await expect(loadPlugin(new ComponentRegistry(), 'mergebench-bad', root)).rejects.toThrow(
      'mergebench-bad does not default-export a mergebench plugin',
    );
  });

  it('discovers an installed plugin by its keyword whatever its name, scoped or not, and no other package', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    installFakePlugin(root, 'dare-merging', 'dare');
    installFakePlugin(root, '@acme/merge-lab', 'lab');
    mkdirSync(path.join(root, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'left-pad', 'package.json'), '{"name":"left-pad"}');
    const found = discoverPluginPackages(root);
    expect(found).toContain('dare-merging');
    expect(found).toContain('@acme/merge-lab');
    expect(found).not.toContain('left-pad');
  });

  it('finds a method of a keyword-only package by its short name', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    // A short name no workspace package provides, so only the keyword can find it.
    installFakePlugin(root, 'breadcrumbs-merging', 'breadcrumbs');
    const found = await ensureComponent(new ComponentRegistry(), 'method', 'breadcrumbs', root);
    expect(found.source).toBe('breadcrumbs-merging');
  });

  it('refuses a plugin that would load a second copy of tfjs, in one line naming both', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-plugins-'));
    installFakePlugin(root, 'mergebench-method-twotf', 'twotf', "throw new Error('must not be imported');");
    const own = path.join(
      root,
      'node_modules',
      'mergebench-method-twotf',
      'node_modules',
      '@tensorflow',
      'tfjs',
    );
    mkdirSync(own, { recursive: true });
    writeFileSync(path.join(own, 'package.json'), '{"name":"@tensorflow/tfjs","version":"4.22.0"}');
    await expect(loadPlugin(new ComponentRegistry(), 'mergebench-method-twotf', root)).rejects.toThrow(
      /^plugin mergebench-method-twotf would load a second copy of @tensorflow\/tfjs \(.*mergebench-method-twotf\/node_modules\/@tensorflow\/tfjs\) beside mergebench's \(.*\/@tensorflow\/tfjs\); .*not link:/,
    );
  });
});
