import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { suiteRegistry } from './suite.js';
import { checkMethodParams, checkMethodsExist } from './suite-check.js';
import { loadSuite, parseSuite } from './suite-file.js';
import { QUICK_ZOO_SPEC } from './zoo/zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mb-suite-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = path.join(dir, 'bad.yaml');
const TASKS = ['synthetic-colors', 'synthetic-textures'];
const suiteOf = (runs: string) =>
  parseSuite(file, `runs:\n  - label: pretrained\n    method: dummy\n${runs}`);

/** The check main makes before the zoo: method names, then every run's method parameters. */
async function check(runs: string): Promise<void> {
  const suite = suiteOf(runs);
  const registry = await suiteRegistry(suite, packageDir);
  await checkMethodsExist(suite, registry, packageDir);
  await checkMethodParams(suite, registry, packageDir, TASKS);
}

describe('method parameters checked before the zoo', () => {
  it('names the suite file, the run and the key of a misspelled parameter or sweep key', async () => {
    await expect(
      check('  - label: ta\n    method: task-arithmetic\n    overrides: { method.scaling_factr: 0.3 }\n'),
    ).rejects.toThrow(
      new RegExp(
        `^${file}: run 'ta': method\\.scaling_factr: unknown parameter; known parameters: .*scaling_factor`,
      ),
    );
    await expect(
      check('  - label: ta\n    method: task-arithmetic\n    sweep: { method.scaling_factr: [0.1, 0.2] }\n'),
    ).rejects.toThrow(`${file}: run 'ta (scaling_factr=0.1)': method.scaling_factr: unknown parameter`);
  });

  it('checks the values of overrides and of every sweep value against the declaration', async () => {
    await expect(
      check('  - label: ta\n    method: task-arithmetic\n    overrides: { method.scaling_factor: high }\n'),
    ).rejects.toThrow(`${file}: run 'ta': method.scaling_factor: expected a number`);
    await expect(
      check('  - label: ties\n    method: ties\n    sweep: { method.scaling_factor: [0.3, "x"] }\n'),
    ).rejects.toThrow(
      `${file}: run 'ties (scaling_factor=x)': method.scaling_factor: expected a number, got "x"`,
    );
    // In a per-task run, {task} stands for each task.
    await check(
      '  - label: each\n    method: dummy\n    per_task: true\n    overrides: { method.model: "{task}" }\n',
    );
  });

  it('passes every committed suite', async () => {
    const names = readdirSync(path.join(packageDir, 'suites')).filter((n) => n.endsWith('.yaml'));
    for (const name of names) {
      const suite = loadSuite(path.join(packageDir, 'suites', name));
      const registry = await suiteRegistry(suite, packageDir);
      await checkMethodsExist(suite, registry, packageDir);
      await checkMethodParams(suite, registry, packageDir, QUICK_ZOO_SPEC.tasks);
    }
  });

  it('stops `pnpm bench` on a misspelled parameter before any zoo folder is made', async () => {
    const suiteFile = path.join(dir, 'typo.yaml');
    writeFileSync(
      suiteFile,
      'runs:\n  - label: ta\n    method: task-arithmetic\n    sweep: { method.scaling_factr: [0.1, 0.3] }\n',
    );
    const cache = path.join(dir, 'cache');
    const start = Date.now();
    await expect(main(['--suite', suiteFile, '--root', cache, '--backend', 'cpu'])).rejects.toThrow(
      `${suiteFile}: run 'ta (scaling_factr=0.1)': method.scaling_factr: unknown parameter`,
    );
    expect(existsSync(cache)).toBe(false);
    // Seconds, not the zoo build's minutes.
    expect(Date.now() - start).toBeLessThan(30_000);
  }, 60_000);
});
