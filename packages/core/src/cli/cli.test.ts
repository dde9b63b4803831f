import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

async function cli(argv: string[], cwd = mkdtempSync(path.join(tmpdir(), 'mb-cli-'))) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err, cwd };
}

const TOY = ['method=dummy', 'modelpool=toy', 'taskpool=toy', 'backend=cpu'];

describe('mergebench CLI', () => {
  it('runs end to end, prints the table and writes report.json', async () => {
    const { code, out, err, cwd } = await cli(['run', ...TOY, 'run_name=first']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/task\s+accuracy %\s+loss/);
    expect(out).toMatch(/average\s+\d+\.\d\d/);
    const report = JSON.parse(readFileSync(path.join(cwd, 'runs', 'first', 'report.json'), 'utf8'));
    expect(report.schema).toBe('mergebench.run-report/1');
    expect(Object.keys(report.results.tasks)).toEqual(['toy0', 'toy1', 'toy2']);
    expect(report.backend.name).toBe('cpu');
    expect(report.parameters.all).toBeGreaterThan(0);
    expect(report.method.params).toEqual({ model: '_pretrained_' });
    expect(report.timings.total).toBeGreaterThan(0);
    expect(report.peakMemory.rssBytes).toBeGreaterThan(0);
  });

  it('reads a config file and lets the command line win', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mb-cli-'));
    writeFileSync(
      path.join(cwd, 'mergebench.config.yaml'),
      'method: dummy\nmodelpool: toy\ntaskpool: toy\nseed: 3\n',
    );
    const { code, out } = await cli(['config', '--show', 'seed=5', 'modelpool.tasks=2'], cwd);
    expect(code).toBe(0);
    expect(out).toContain('seed: 5');
    expect(out).toMatch(/modelpool:\n {2}name: toy\n {2}tasks: 2\n {2}seed: 0\n {2}finetune_steps: 60/);
  });

  const badInputs: [string, string[], RegExp][] = [
    [
      'unknown plugin',
      ['run', 'method=nope', 'modelpool=toy', 'taskpool=toy'],
      /^mergebench: error: unknown method 'nope'; available: (.*, )?dummy/,
    ],
    ['malformed override', ['run', ...TOY, 'seed'], /^mergebench: error: .*seed/],
    ['wrong type', ['run', ...TOY, 'seed=abc'], /^mergebench: error: seed: expected an integer, got "abc"$/],
    ['unknown parameter', ['run', ...TOY, 'modelpool.taks=2'], /^mergebench: error: modelpool\.taks/],
    ['unknown option', ['run', '--fast'], /^mergebench: error: unknown option '--fast'/],
    ['unknown command', ['frobnicate'], /^mergebench: error: unknown command 'frobnicate'/],
  ];
  for (const [what, argv, message] of badInputs) {
    it(`fails in one line on ${what}, writing nothing`, async () => {
      const { code, out, err, cwd } = await cli(argv);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err.trimEnd()).toMatch(message);
      expect(existsSync(path.join(cwd, 'runs')) ? readdirSync(path.join(cwd, 'runs')) : []).toEqual([]);
    });
  }

  it('lists the built-in components with their parameters', async () => {
    const { code, out } = await cli(['list']);
    expect(code).toBe(0);
    expect(out).toContain('dummy  (builtin)');
    expect(out).toContain('finetune_steps (integer, default 60)');
  });
});
