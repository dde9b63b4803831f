import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

async function cli(argv: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** A folder holding a plugin file that leaves a marker when imported. */
function folderWithPlugin(): { dir: string; ran: () => boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-paths-cli-'));
  const marker = path.join(dir, 'ran.txt');
  writeFileSync(
    path.join(dir, 'x.mjs'),
    `import { writeFileSync } from 'node:fs';
     writeFileSync(${JSON.stringify(marker)}, 'imported');
     export default { name: 'pathy', register() {} };`,
  );
  return { dir, ran: () => existsSync(marker) };
}

describe('config --show and list never import a plugin path', () => {
  it('config --show method=<path> fails in one line and runs nothing, even with --allow-plugin-paths', async () => {
    const { dir, ran } = folderWithPlugin();
    for (const extra of [[], ['--allow-plugin-paths']]) {
      const { code, err } = await cli(['config', '--show', 'method=./x.mjs', ...extra], dir);
      expect(code).toBe(1);
      expect(err).toMatch(
        /^mergebench: error: plugin path \.\/x\.mjs \(from the command line\): config --show and list never import code from a path; .*\n$/,
      );
    }
    expect(ran()).toBe(false);
  });

  it('list reports a path named by the config file instead of importing it', async () => {
    const { dir, ran } = folderWithPlugin();
    writeFileSync(path.join(dir, '.mergebenchrc.json'), JSON.stringify({ plugins: ['./x.mjs'] }));
    const { code, out, err } = await cli(['list'], dir);
    expect(code).toBe(0);
    expect(out).toContain('dummy');
    expect(err).toMatch(
      /warning: plugin \.\/x\.mjs could not be loaded: plugin path \.\/x\.mjs \(from config file .*never import code from a path/,
    );
    expect(ran()).toBe(false);
  });

  it('run method=<path> needs --allow-plugin-paths and names the flag', async () => {
    const { dir, ran } = folderWithPlugin();
    const { code, err } = await cli(['run', 'method=./x.mjs', 'modelpool=toy', 'taskpool=toy'], dir);
    expect(code).toBe(1);
    expect(err).toMatch(/importing code from a path needs --allow-plugin-paths/);
    expect(ran()).toBe(false);
  });
});
