import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/** A project with one installed plugin package that provides the command `greet`. */
function projectWithCommand(keyword = 'mergebench-plugin'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-commands-'));
  const pkg = path.join(dir, 'node_modules', 'mergebench-greeter');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({
      name: 'mergebench-greeter',
      type: 'module',
      keywords: [keyword],
      exports: './index.js',
    }),
  );
  writeFileSync(
    path.join(pkg, 'index.js'),
    `export default {
       name: 'greeter',
       register(r) {
         r.command?.({
           name: 'greet',
           usage: 'greet NAME [--loud]\\nsays hello',
           async run(argv, io) {
             if (argv[0] === undefined) { const e = new Error('greet: expected a name'); e.name = 'MergebenchError'; throw e; }
             io.out((argv.includes('--loud') ? 'HELLO ' : 'hello ') + argv[0] + ' from ' + io.cwd + '\\n');
             return argv[0] === 'nobody' ? 3 : undefined;
           },
         });
         r.command?.({ name: 'run', usage: 'shadowed', async run(_a, io) { io.out('plugin run\\n'); } });
       },
     };`,
  );
  return dir;
}

describe('commands from installed plugins', () => {
  it('runs a plugin command with its own arguments and exit code', async () => {
    const dir = projectWithCommand();
    expect(await cli(['greet', 'ada', '--loud'], dir)).toMatchObject({
      code: 0,
      out: `HELLO ada from ${dir}\n`,
    });
    expect((await cli(['greet', 'nobody'], dir)).code).toBe(3);
    const failed = await cli(['greet'], dir);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('greet: expected a name');
  });

  it('keeps the built-in commands first and lists plugin commands', async () => {
    const dir = projectWithCommand();
    const run = await cli(['run', 'method=dummy', 'modelpool=toy', 'taskpool=toy', 'output_dir=out'], dir);
    expect(run.out).not.toContain('plugin run');
    expect(existsSync(path.join(dir, 'out'))).toBe(true);
    const list = await cli(['list'], dir);
    expect(list.out).toMatch(/commands:\n {2}greet {2}\(mergebench-greeter\)\n {6}greet NAME \[--loud\]/);
  });

  it('names the plugin commands when a command is unknown, and ignores packages that are no plugins', async () => {
    const unknown = await cli(['gret'], projectWithCommand());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /unknown command 'gret'; .*from installed plugins: .*greet \(mergebench-greeter\)/,
    );
    const notPlugin = await cli(['greet', 'ada'], projectWithCommand('something-else'));
    expect(notPlugin.err).toMatch(/unknown command 'greet'/);
  });
});
