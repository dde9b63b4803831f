import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { loadConfigFile } from './load.js';

const KNOWN_KEYS =
  'method, modelpool, taskpool, plugins, seed, backend, output_dir, run_name, save_model, held_out';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mergebench-load-'));
  // Bounds the upward search to this folder.
  write('package.json', JSON.stringify({ name: 'experiment', private: true }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(relative: string, text: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('loadConfigFile search', () => {
  it('returns null when there is no config', async () => {
    expect(await loadConfigFile({ cwd: dir })).toBeNull();
  });

  it.each([
    ['.mergebenchrc', 'seed: 1\n'],
    ['.mergebenchrc.json', '{"seed": 1}'],
    ['.mergebenchrc.yaml', 'seed: 1\n'],
    ['.mergebenchrc.yml', 'seed: 1\n'],
    ['.mergebenchrc.js', 'module.exports = { seed: 1 };\n'],
    ['.mergebenchrc.cjs', 'module.exports = { seed: 1 };\n'],
    ['.mergebenchrc.mjs', 'export default { seed: 1 };\n'],
    ['mergebench.config.js', 'module.exports = { seed: 1 };\n'],
    ['mergebench.config.mjs', 'export default { seed: 1 };\n'],
    ['mergebench.config.cjs', 'module.exports = { seed: 1 };\n'],
    ['mergebench.config.ts', 'const seed: number = 1;\nexport default { seed };\n'],
    ['mergebench.config.json', '{"seed": 1}'],
    ['mergebench.config.yaml', 'seed: 1\n'],
    ['mergebench.config.yml', 'seed: 1\n'],
  ])('finds %s', async (name, text) => {
    const file = write(name, text);
    expect(await loadConfigFile({ cwd: dir })).toEqual({ config: { seed: 1 }, filepath: file });
  });

  it('leaves no compiled file behind for a TypeScript config', async () => {
    write('mergebench.config.ts', 'export default { seed: 1 };\n');
    await loadConfigFile({ cwd: dir });
    expect(readdirSync(dir).sort()).toEqual(['mergebench.config.ts', 'package.json']);
  });

  it('reads the mergebench key of package.json, before any other file', async () => {
    const pkg = write('package.json', JSON.stringify({ name: 'x', mergebench: { method: 'ties' } }));
    write('mergebench.config.yaml', 'seed: 1\n');
    expect(await loadConfigFile({ cwd: dir })).toEqual({ config: { method: 'ties' }, filepath: pkg });
  });

  it('prefers .mergebenchrc files to mergebench.config files', async () => {
    const rc = write('.mergebenchrc.yaml', 'seed: 1\n');
    write('mergebench.config.yaml', 'seed: 2\n');
    expect(await loadConfigFile({ cwd: dir })).toEqual({ config: { seed: 1 }, filepath: rc });
  });

  it('searches up to the folder with package.json', async () => {
    const file = write('mergebench.config.yaml', 'seed: 3\n');
    const nested = path.join(dir, 'experiments', 'a');
    mkdirSync(nested, { recursive: true });
    expect(await loadConfigFile({ cwd: nested })).toEqual({ config: { seed: 3 }, filepath: file });
  });

  it('skips an empty file', async () => {
    write('.mergebenchrc.yaml', '');
    const file = write('mergebench.config.json', '{"seed": 4}');
    expect(await loadConfigFile({ cwd: dir })).toEqual({ config: { seed: 4 }, filepath: file });
  });
});

describe('loadConfigFile --config', () => {
  it('loads the given file relative to cwd, without searching', async () => {
    write('mergebench.config.yaml', 'seed: 1\n');
    const file = write('experiments/ties.yaml', 'method: ties\nseed: 2\n');
    expect(await loadConfigFile({ cwd: dir, configPath: 'experiments/ties.yaml' })).toEqual({
      config: { method: 'ties', seed: 2 },
      filepath: file,
    });
  });

  it('reads an empty YAML file as an empty config', async () => {
    const file = write('empty.yaml', '# nothing yet\n');
    expect(await loadConfigFile({ cwd: dir, configPath: file })).toEqual({ config: {}, filepath: file });
  });

  it('reports a missing file', async () => {
    await expect(loadConfigFile({ cwd: dir, configPath: 'nope.yaml' })).rejects.toThrow(
      new MergebenchError(`Config file not found: ${path.join(dir, 'nope.yaml')}`),
    );
  });

  it('reports an unsupported file type', async () => {
    const file = write('run.toml', 'seed = 1\n');
    await expect(loadConfigFile({ cwd: dir, configPath: file })).rejects.toThrow(
      new MergebenchError(
        `Config file ${file}: unsupported file type ".toml"; expected .js, .mjs, .cjs, .ts, .json, .yaml, .yml`,
      ),
    );
  });

  it('reports a package.json without the mergebench key', async () => {
    const file = path.join(dir, 'package.json');
    await expect(loadConfigFile({ cwd: dir, configPath: 'package.json' })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: no "mergebench" key`),
    );
  });

  it('reports a module without a default export', async () => {
    const file = write('run.mjs', 'export const seed = 1;\n');
    await expect(loadConfigFile({ cwd: dir, configPath: file })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: expected a default export with the config`),
    );
  });
});

describe('loadConfigFile errors', () => {
  it('reports invalid YAML with its position', async () => {
    const file = write('.mergebenchrc.yaml', 'method: ties\n  seed: 1\n');
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(
      new MergebenchError(
        `Config file ${file}: invalid YAML: Nested mappings are not allowed in compact mappings at line 1, column 9`,
      ),
    );
  });

  it('reports invalid JSON', async () => {
    const file = write('mergebench.config.json', '{"seed": 1,}');
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: invalid JSON: ${jsonError('{"seed": 1,}')}`),
    );
  });

  it('reports a module that throws', async () => {
    const file = write('mergebench.config.mjs', "throw new Error('no GPU here');\n");
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: could not be loaded: no GPU here`),
    );
  });

  it('rejects a config that is not a mapping', async () => {
    const file = write('.mergebenchrc.yaml', '- method\n- ties\n');
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: expected a mapping of ${KNOWN_KEYS}, got ["method", "ties"]`),
    );
  });

  it('rejects unknown top-level keys, listing the known ones', async () => {
    const file = write('.mergebenchrc.json', '{"metod": "ties", "sed": 1, "seed": 2}');
    await expect(loadConfigFile({ cwd: dir })).rejects.toThrow(
      new MergebenchError(`Config file ${file}: unknown keys "metod", "sed"; known keys: ${KNOWN_KEYS}`),
    );
  });

  it("lets aliases and other frameworks' keys through to validation", async () => {
    write('.mergebenchrc.yaml', 'merged_model_save_path: out\nprint_config: false\n');
    const loaded = await loadConfigFile({ cwd: dir });
    expect(loaded?.config).toEqual({ merged_model_save_path: 'out', print_config: false });
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected invalid JSON');
}
