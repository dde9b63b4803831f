import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffold, type Template } from './scaffold.js';

// The generated project, built and tested outside the workspace against this repository's core.
// Its node_modules links the packages a registry install would bring (the registry route itself
// is proven by scripts/registry-e2e.sh); tfjs is core's own copy, as a peer install gives.
const here = path.resolve(import.meta.dirname, '..');
const coreDir = path.resolve(here, '../core');
const mergebench = path.join(coreDir, 'dist/cli/main.js');
const own = (name: string) => realpathSync(path.join(here, 'node_modules', name));

function linkModules(dir: string, names: Record<string, string>): void {
  for (const [name, target] of Object.entries(names)) {
    mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(target, path.join(dir, 'node_modules', name));
  }
}

const node = (args: string[], cwd: string) =>
  execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function scaffoldAndInstall(template: Template, dirName: string): string {
  const { dir } = scaffold({ dir: dirName, template, cwd: mkdtempSync(path.join(tmpdir(), 'create-mb-')) });
  const tfjs = own('@tensorflow/tfjs');
  linkModules(dir, {
    '@mergebench/core': coreDir,
    '@tensorflow/tfjs': tfjs,
    typescript: own('typescript'),
    vitest: own('vitest'),
    '@types/node': own('@types/node'),
  });
  return dir;
}

describe.each([
  ['method', 'my-method', 'method=my-method modelpool=toy taskpool=toy'],
  ['modelpool', 'my-pool', 'method=dummy modelpool=my-pool-first-two taskpool=toy'],
  ['taskpool', 'my-tasks', 'method=dummy modelpool=toy taskpool=my-tasks-two-tasks'],
] as const)('a scaffolded %s plugin', (template, name, run) => {
  it('builds, passes its tests and check-plugin, and runs by name once installed beside mergebench', () => {
    const dir = scaffoldAndInstall(template, name);
    node([path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
    const tests = node([path.join(dir, 'node_modules/vitest/vitest.mjs'), 'run'], dir);
    expect(tests).toMatch(/passed/);
    expect(node([mergebench, 'check-plugin', '.'], dir)).toContain(`${name}: passes the conformance checks`);

    // Installed as a copy (what file: and a registry give), beside mergebench, found by keyword.
    const host = mkdtempSync(path.join(tmpdir(), 'create-mb-host-'));
    cpSync(dir, path.join(host, 'node_modules', name), {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}node_modules`) && !src.includes(`${path.sep}src`),
    });
    linkModules(host, { '@mergebench/core': coreDir, '@tensorflow/tfjs': own('@tensorflow/tfjs') });
    expect(node([mergebench, 'list'], host)).toContain(`(${name})`);
    const out = node([mergebench, 'run', ...run.split(' '), 'backend=cpu'], host);
    expect(out).toMatch(/average\s+\d+\.\d\d/);
  });
});
