import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentNameOf, scaffold } from './scaffold.js';
import { templateVersions } from './versions.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'create-mb-'));

describe('scaffold', () => {
  it('writes a standalone package: published ranges, no workspace: specifiers, its own tsconfig', () => {
    const { dir, files } = scaffold({ dir: 'my-method', cwd: tmp() });
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'tsconfig.json',
        'vitest.config.ts',
        'pnpm-workspace.yaml',
        'README.md',
        'configs/method/my-method.yaml',
        'src/index.ts',
        'src/component.ts',
        'src/my-method.test.ts',
      ]),
    );
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.keywords).toContain('mergebench-plugin');
    const core = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../core/package.json'), 'utf8'));
    expect(pkg.peerDependencies).toEqual({
      '@mergebench/core': `^${core.version}`,
      '@tensorflow/tfjs': '^4.22.0',
    });
    expect(JSON.stringify(pkg)).not.toContain('workspace:');
    expect(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')).not.toContain('extends');
    expect(readFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'utf8')).toMatch(
      /allowBuilds:\n(.*\n)*\s+core-js: false/,
    );
  });

  it('derives the component name from the package name', () => {
    expect(componentNameOf('@you/mergebench-method-dare', 'method')).toBe('dare');
    expect(componentNameOf('mergebench-modelpool-vit', 'modelpool')).toBe('vit');
    expect(componentNameOf('dare', 'method')).toBe('dare');
  });

  it('in the repository (workspace:^) names the version of the core beside it', () => {
    expect(templateVersions().core).toMatch(/^\^\d+\.\d+\.\d+/);
  });

  it.each([
    [{ dir: 'My Method' }, /package name 'My Method' is not a valid npm name/],
    [
      { dir: 'x', template: 'ensemble' as 'method' },
      /--template: unknown template 'ensemble'; expected method, modelpool, taskpool/,
    ],
    [{ dir: 'mergebench-method-dummy' }, /method name 'dummy' is mergebench's own/],
    [{ dir: 'x', name: 'Bad' }, /method name 'Bad' must be lower-case/],
  ])('refuses %j in one line', (options, message) => {
    expect(() => scaffold({ ...options, cwd: tmp() })).toThrow(message);
  });

  it('refuses a folder that is not empty', () => {
    const cwd = tmp();
    mkdirSync(path.join(cwd, 'taken'));
    writeFileSync(path.join(cwd, 'taken', 'file'), '');
    expect(() => scaffold({ dir: 'taken', cwd })).toThrow(/taken exists and is not empty/);
  });
});
