import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/** A plugin package folder whose method returns the first model, `body` run before. */
function writePlugin(dir: string, manifest: Record<string, unknown>, body = ''): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'first-model',
      type: 'module',
      exports: { '.': { import: './index.js' } },
      ...manifest,
    }),
  );
  writeFileSync(
    path.join(dir, 'index.js'),
    `export default { name: 'first-model', register(r) {
       r.method({ info: { kind: 'method', name: 'first', description: 'the first model',
                          params: [{ name: 'k', type: 'number', default: 1, description: 'unused' }] },
                  create: ({ params }) => ({ async run(pool) { ${body}
                    return { kind: 'model', model: await pool.loadModel(pool.modelNames[0]) }; } }) });
     } };`,
  );
}

const GOOD = { keywords: ['mergebench-plugin'], peerDependencies: { '@mergebench/core': '^0.1.0' } };

describe('mergebench check-plugin', () => {
  it('passes an installed package that conforms, taking method parameters', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-check-'));
    writePlugin(path.join(root, 'node_modules', 'first-model'), GOOD);
    const { code, out, err } = await cli(['check-plugin', 'first-model', 'first.k=2'], root);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toBe('first-model: passes the conformance checks\n');
  });

  it('prints one line per failure and exits nonzero', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-check-'));
    writePlugin(
      path.join(root, 'plugin'),
      { dependencies: { '@mergebench/core': '^0.1.0' } },
      'if (pool.modelNames.length === 0) return pool.nothing.here;',
    );
    const { code, out, err } = await cli(['check-plugin', './plugin'], root);
    expect(code).toBe(1);
    expect(out).toBe('');
    const lines = err.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^check-plugin: first-model: .*package\.json: keywords: expected "mergebench-plugin"/,
      ),
      expect.stringMatching(
        /^check-plugin: first-model: .*package\.json: dependencies: @mergebench\/core must be a peer dependency/,
      ),
      expect.stringMatching(
        /^check-plugin: first-model: method 'first' fails on a pool without fine-tuned models with TypeError/,
      ),
      'mergebench: error: check-plugin: first-model failed 3 checks',
    ]);
  });

  it('names a package that is not installed, and a parameter that is not <method>.<param>', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-check-'));
    expect((await cli(['check-plugin', 'nowhere'], root)).err).toMatch(
      /^mergebench: error: check-plugin: package 'nowhere' is not installed/,
    );
    writePlugin(path.join(root, 'node_modules', 'first-model'), GOOD);
    expect((await cli(['check-plugin', 'first-model', 'k=2'], root)).err).toBe(
      'mergebench: error: check-plugin: k: expected <method>.<param>=value\n',
    );
    expect((await cli(['check-plugin'], root)).err).toMatch(
      /usage: mergebench check-plugin <package or path>/,
    );
  });
});
