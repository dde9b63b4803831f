import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RUN_CONFIG_DEFAULTS, type RunConfig } from './run-config.js';
import { formatConfig } from './show.js';

const config: RunConfig = {
  ...RUN_CONFIG_DEFAULTS,
  plugins: ['@mergebench/vision'],
  method: { name: 'ties', scaling_factor: 0.3, threshold: 20 },
  modelpool: { name: 'clip-vit', models: { _pretrained_: './ckpt/base', mnist: './ckpt/mnist' } },
  taskpool: { name: 'image-classification', tasks: ['mnist', 'svhn'] },
};

describe('formatConfig', () => {
  it('prints YAML in the documented key order, name first in each component', () => {
    const shuffled = {
      seed: 42,
      taskpool: { tasks: ['mnist', 'svhn'], name: 'image-classification' },
      save_model: null,
      method: { threshold: 20, scaling_factor: 0.3, name: 'ties' },
      run_name: null,
      plugins: ['@mergebench/vision'],
      output_dir: 'runs',
      modelpool: { models: { _pretrained_: './ckpt/base', mnist: './ckpt/mnist' }, name: 'clip-vit' },
      backend: 'auto',
    };
    expect(formatConfig(shuffled)).toBe(
      [
        'method:',
        '  name: ties',
        '  threshold: 20',
        '  scaling_factor: 0.3',
        'modelpool:',
        '  name: clip-vit',
        '  models:',
        '    _pretrained_: ./ckpt/base',
        '    mnist: ./ckpt/mnist',
        'taskpool:',
        '  name: image-classification',
        '  tasks:',
        '    - mnist',
        '    - svhn',
        'plugins:',
        '  - "@mergebench/vision"',
        'seed: 42',
        'backend: auto',
        'output_dir: runs',
        'run_name: null',
        'save_model: null',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through YAML and prints equal configs equally', () => {
    const text = formatConfig(config);
    expect(parse(text)).toEqual(config);
    expect(formatConfig(parse(text))).toBe(text);
  });

  it('prints a value shared by two keys twice instead of as an anchor', () => {
    const tasks = ['mnist'];
    const text = formatConfig({ ...config, taskpool: { name: 'a', tasks, eval_tasks: tasks } });
    expect(text).not.toContain('&');
    expect(text).toContain('  eval_tasks:\n    - mnist\n');
  });

  it('keeps keys it does not know after the known ones', () => {
    expect(formatConfig({ extra: 1, seed: 2 })).toBe('seed: 2\nextra: 1\n');
  });
});
