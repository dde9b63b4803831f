import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { type PresetResolver, resolvePresets } from './presets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mergebench-presets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(relative: string, text: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const noResolver = undefined;

describe('resolvePresets', () => {
  it('expands a preset name from configs/<kind>/<name>.yaml', () => {
    write('configs/method/ties.yaml', 'name: ties\nscaling_factor: 0.3\nthreshold: 20\n');
    expect(resolvePresets({ method: 'ties', seed: 1 }, noResolver, [dir])).toEqual({
      method: { name: 'ties', scaling_factor: 0.3, threshold: 20 },
      seed: 1,
    });
  });

  it('names the component after the preset when the preset file has no name', () => {
    write('configs/taskpool/eight-tasks.yaml', 'tasks: [mnist, svhn]\n');
    write('configs/method/ties.yaml', '');
    expect(resolvePresets({ taskpool: 'eight-tasks', method: 'ties' }, noResolver, [dir])).toEqual({
      taskpool: { name: 'eight-tasks', tasks: ['mnist', 'svhn'] },
      method: { name: 'ties' },
    });
  });

  it('lets the keys beside `preset:` win, merging nested mappings', () => {
    write(
      'configs/modelpool/clip-vit-b32.yaml',
      'name: clip-vit\nmodels: {_pretrained_: ./base, mnist: ./mnist}\nbatch_size: 16\n',
    );
    const config = { modelpool: { preset: 'clip-vit-b32', batch_size: 8, models: { mnist: './other' } } };
    expect(resolvePresets(config, noResolver, [dir])).toEqual({
      modelpool: { name: 'clip-vit', models: { _pretrained_: './base', mnist: './other' }, batch_size: 8 },
    });
  });

  it('loads a .yaml/.yml value as a file, trying the search folders in order', () => {
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    write('second/presets/my-ties.yml', 'name: ties\nthreshold: 10\n');
    write('second/my-dare.yaml', 'name: dare\n');
    write('first/my-dare.yaml', 'name: dare\np: 0.1\n');
    expect(
      resolvePresets({ method: 'presets/my-ties.yml', taskpool: 'my-dare.yaml' }, noResolver, [
        first,
        second,
      ]),
    ).toEqual({ method: { name: 'ties', threshold: 10 }, taskpool: { name: 'dare', p: 0.1 } });
  });

  it('accepts an absolute preset path', () => {
    const file = write('elsewhere/ties.yaml', 'name: ties\n');
    expect(resolvePresets({ method: file }, noResolver, [os.tmpdir()])).toEqual({ method: { name: 'ties' } });
  });

  it('searches the folders before the resolver, and the resolver before falling back to the name', () => {
    write('configs/method/ties.yaml', 'name: ties\nthreshold: 20\n');
    const asked: string[] = [];
    const resolver: PresetResolver = (kind, name) => {
      asked.push(`${kind}/${name}`);
      return name === 'dare-paper'
        ? { file: '/plugin/configs/method/dare-paper.yaml', values: { p: 0.9 } }
        : undefined;
    };
    const config = { method: 'ties', modelpool: 'dare-paper', taskpool: 'mnist-only' };
    expect(resolvePresets(config, resolver, [dir])).toEqual({
      method: { name: 'ties', threshold: 20 },
      modelpool: { name: 'dare-paper', p: 0.9 },
      taskpool: { name: 'mnist-only' },
    });
    expect(asked).toEqual(['modelpool/dare-paper', 'taskpool/mnist-only']);
  });

  it('leaves mappings without preset and non-component keys alone', () => {
    const config = { method: { name: 'ties', threshold: 5 }, output_dir: 'ties' };
    expect(resolvePresets(config, noResolver, [dir])).toEqual(config);
  });

  it('reports a missing preset file with the places it looked', () => {
    expect(() => resolvePresets({ method: 'missing.yaml' }, noResolver, [dir, '/nowhere'])).toThrow(
      new MergebenchError(
        `method: preset file "missing.yaml" not found (looked for ${path.join(dir, 'missing.yaml')}, /nowhere/missing.yaml)`,
      ),
    );
  });

  it('rejects a preset file that is not a mapping, nests presets or lacks a name', () => {
    const list = write('list.yaml', '- a\n- b\n');
    expect(() => resolvePresets({ method: 'list.yaml' }, noResolver, [dir])).toThrow(
      new MergebenchError(`Preset file ${list}: expected a mapping of method settings, got ["a", "b"]`),
    );
    const nested = write('configs/method/nested.yaml', 'preset: ties\n');
    expect(() => resolvePresets({ method: 'nested' }, noResolver, [dir])).toThrow(
      new MergebenchError(
        `Preset file ${nested}: "preset" is not allowed in a preset file; presets do not nest`,
      ),
    );
    const nameless = write('nameless.yaml', 'threshold: 3\n');
    expect(() => resolvePresets({ method: 'nameless.yaml' }, noResolver, [dir])).toThrow(
      new MergebenchError(
        `Preset file ${nameless}: missing "name"; expected the method component's name, e.g. name: <component>`,
      ),
    );
  });

  it('reports invalid YAML in a preset file', () => {
    const bad = write('configs/method/bad.yaml', 'name: [ties\n');
    expect(() => resolvePresets({ method: 'bad' }, noResolver, [dir])).toThrow(
      new MergebenchError(
        `Preset file ${bad}: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1`,
      ),
    );
  });

  it('rejects a preset key that is not a string', () => {
    expect(() => resolvePresets({ method: { preset: 3 } }, noResolver, [dir])).toThrow(
      new MergebenchError('method.preset: expected a preset name or a .yaml file path, got 3'),
    );
  });
});
