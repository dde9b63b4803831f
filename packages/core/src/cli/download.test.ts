import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytes, randomCommit, startTestHub, type TestHub } from '../hub/hub-server.test.helpers.js';
import { runCli } from './cli.js';

async function cli(argv: string[], cwd = mkdtempSync(path.join(tmpdir(), 'mb-cli-'))) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err, cwd };
}

const COMMIT = randomCommit();
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub([
    {
      type: 'model',
      id: 'acme/tiny-clip',
      commit: COMMIT,
      files: [
        { path: 'config.json', content: Buffer.from('{}') },
        { path: 'model.safetensors', content: bytes(5000, 1), lfs: true },
        { path: 'pytorch_model.bin', content: bytes(5000, 2), lfs: true },
      ],
    },
  ]);
});
afterAll(() => hub.close());
afterEach(() => vi.unstubAllEnvs());

describe('mergebench download', () => {
  it('fetches a repo into --cache-dir and prints where its snapshot is', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.endpoint);
    vi.stubEnv('HF_HOME', mkdtempSync(path.join(tmpdir(), 'mb-hf-')));
    vi.stubEnv('HF_TOKEN', '');
    const { code, out, err, cwd } = await cli(['download', 'acme/tiny-clip', '--cache-dir', 'hf-cache']);
    expect(err).toMatch(/^fetched acme\/tiny-clip\/(config\.json|model\.safetensors) \(/);
    expect(code).toBe(0);
    const snapshot = path.join(cwd, 'hf-cache', 'models--acme--tiny-clip', 'snapshots', COMMIT);
    expect(out).toBe(`model 'acme/tiny-clip': 2 files, 2 fetched (5.0 KB): ${snapshot}\n`);
    expect(readFileSync(path.join(cwd, 'hf-cache', 'models--acme--tiny-clip', 'refs', 'main'), 'utf8')).toBe(
      COMMIT,
    );

    const again = await cli(
      ['download', 'acme/tiny-clip', '--cache-dir', 'hf-cache', '--include', '*.json'],
      cwd,
    );
    expect(again.out).toBe(`model 'acme/tiny-clip': 1 files, all cached: ${snapshot}\n`);
  });

  const bad: [string, string[], RegExp][] = [
    ['no name', ['download'], /^mergebench: error: download: name at least one preset or Hub repo id/],
    [
      'a bad repo type',
      ['download', 'a/b', '--repo-type', 'space'],
      /--repo-type: expected model or dataset, got 'space'/,
    ],
    ['--include without a value', ['download', 'a/b', '--include'], /--include: expected a value/],
  ];
  for (const [what, argv, message] of bad) {
    it(`fails in one line on ${what}`, async () => {
      const { code, err } = await cli(argv);
      expect(code).toBe(1);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    });
  }
});
