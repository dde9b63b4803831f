import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../contracts/params.js';
import { MergebenchError } from '../errors.js';
import { RUN_CONFIG_DEFAULTS } from './run-config.js';
import { validateParams, validateRunConfig } from './validate.js';

const TIES: ParamSpec[] = [
  { name: 'scaling_factor', type: 'number', description: 'λ', default: 0.3 },
  { name: 'threshold', type: 'number', description: 'top-k %', default: 20, exclusiveMin: 0, max: 100 },
];

const ALL_TYPES: ParamSpec[] = [
  { name: 'steps', type: 'integer', description: '', default: 10, min: 1 },
  { name: 'mode', type: 'string', description: '', default: 'sum', choices: ['sum', 'mean', 'max'] },
  { name: 'reduce', type: 'string', description: '', default: 'sum', choices: ['sum', 'mean'] },
  { name: 'rescale', type: 'boolean', description: '', default: true },
  { name: 'weights', type: 'number[]', description: '', default: [0.5, 0.5], min: 0, max: 1 },
  { name: 'tasks', type: 'string[]', description: '', default: [] },
  { name: 'models', type: 'record', description: '', default: {} },
  { name: 'cache_dir', type: 'string', description: '', default: null, nullable: true },
  { name: 'rank', type: 'integer', description: '', default: 4, choices: [4, 8, 16] },
];

function fails(run: () => unknown, message: string): void {
  expect(run).toThrow(new MergebenchError(message));
}

describe('validateParams', () => {
  it('fills defaults and passes the component name through', () => {
    expect(validateParams('method', { name: 'ties', threshold: 50 }, TIES)).toEqual({
      name: 'ties',
      scaling_factor: 0.3,
      threshold: 50,
    });
    expect(validateParams('method', undefined, TIES)).toEqual({ scaling_factor: 0.3, threshold: 20 });
  });

  it('gives every call its own copy of list and mapping defaults', () => {
    const first = validateParams('method', {}, ALL_TYPES);
    (first.weights as number[]).push(1);
    expect(validateParams('method', {}, ALL_TYPES).weights).toEqual([0.5, 0.5]);
  });

  it('accepts every type when the value fits', () => {
    const values = {
      steps: 3,
      mode: 'max',
      reduce: 'mean',
      rescale: false,
      weights: [0, 1],
      tasks: ['mnist'],
      models: { _pretrained_: './base', mnist: { path: './m' } },
      cache_dir: './cache',
      rank: 16,
    };
    expect(validateParams('method', values, ALL_TYPES)).toEqual(values);
  });

  it('rejects unknown parameters, listing the known ones', () => {
    fails(
      () => validateParams('method', { name: 'ties', scaling_fator: 0.4 }, TIES),
      'method.scaling_fator: unknown parameter; known parameters: scaling_factor, threshold',
    );
    fails(
      () => validateParams('method', { k: 1 }, []),
      'method.k: unknown parameter; known parameters: (none)',
    );
  });

  it('requires parameters without a default', () => {
    const specs: ParamSpec[] = [{ name: 'models', type: 'record', description: 'checkpoints' }];
    fails(
      () => validateParams('modelpool', {}, specs),
      'modelpool.models: missing required parameter; expected a mapping of names to values',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a number', { scaling_factor: 'abc' }, 'method.scaling_factor: expected a number, got "abc"'],
    ['NaN', { scaling_factor: Number.NaN }, 'method.scaling_factor: expected a number, got NaN'],
    ['an upper bound', { threshold: 120 }, 'method.threshold: expected a number in (0, 100], got 120'],
    ['an exclusive lower bound', { threshold: 0 }, 'method.threshold: expected a number in (0, 100], got 0'],
    [
      'null where not nullable',
      { threshold: null },
      'method.threshold: expected a number in (0, 100], got null',
    ],
  ])('checks %s', (_case, values, message) => {
    fails(() => validateParams('method', values, TIES), message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['integers', { steps: 2.5 }, 'method.steps: expected an integer >= 1, got 2.5'],
    ['integer bounds', { steps: 0 }, 'method.steps: expected an integer >= 1, got 0'],
    ['numbers as strings', { steps: '3' }, 'method.steps: expected an integer >= 1, got "3"'],
    ['string choices', { mode: 'min' }, 'method.mode: expected one of "sum", "mean" or "max", got "min"'],
    ['two choices', { reduce: 'max' }, 'method.reduce: expected "sum" or "mean", got "max"'],
    ['number choices', { rank: 5 }, 'method.rank: expected one of 4, 8 or 16, got 5'],
    ['booleans', { rescale: 'yes' }, 'method.rescale: expected true or false, got "yes"'],
    ['number lists', { weights: 0.5 }, 'method.weights: expected a list of numbers in [0, 1], got 0.5'],
    [
      'number list elements',
      { weights: [0.5, 'x'] },
      'method.weights[1]: expected a number in [0, 1], got "x"',
    ],
    ['number list ranges', { weights: [0.5, 2] }, 'method.weights[1]: expected a number in [0, 1], got 2'],
    ['string lists', { tasks: 'mnist' }, 'method.tasks: expected a list of strings, got "mnist"'],
    ['string list elements', { tasks: ['mnist', 3] }, 'method.tasks[1]: expected a string, got 3'],
    [
      'records',
      { models: ['a', 'b'] },
      'method.models: expected a mapping of names to values, got ["a", "b"]',
    ],
    ['nullable strings', { cache_dir: 3 }, 'method.cache_dir: expected a string or null, got 3'],
  ])('checks %s', (_case, values, message) => {
    fails(() => validateParams('method', values, ALL_TYPES), message);
  });

  it('accepts null for a nullable parameter', () => {
    expect(validateParams('method', { cache_dir: null }, ALL_TYPES).cache_dir).toBeNull();
  });

  it('rejects parameters that are not a mapping', () => {
    fails(
      () => validateParams('method', [1, 2], TIES),
      'method: expected a mapping of parameters, got [1, 2]',
    );
  });
});

describe('validateRunConfig', () => {
  const components = {
    method: { name: 'ties', scaling_factor: 0.4 },
    modelpool: { name: 'clip-vit', models: { mnist: './m' } },
    taskpool: { name: 'image-classification', tasks: ['mnist'] },
  };

  it('fills the run settings and keeps the component parameters', () => {
    expect(validateRunConfig({ ...components, seed: 1, run_name: 'a' })).toEqual({
      ...components,
      ...RUN_CONFIG_DEFAULTS,
      seed: 1,
      run_name: 'a',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'unknown keys',
      { metod: 'ties' },
      'metod: unknown key; known keys: method, modelpool, taskpool, plugins, seed, backend, output_dir, run_name, save_model, held_out',
    ],
    ['an integer seed', { seed: 1.5 }, 'seed: expected an integer, got 1.5'],
    ['a string output_dir', { output_dir: 3 }, 'output_dir: expected a string, got 3'],
    ['a string backend', { backend: false }, 'backend: expected a string, got false'],
    [
      'plugin lists',
      { plugins: '@mergebench/vision' },
      'plugins: expected a list of strings, got "@mergebench/vision"',
    ],
    ['plugin names', { plugins: ['a', 1] }, 'plugins[1]: expected a string, got 1'],
    ['nullable run_name', { run_name: 5 }, 'run_name: expected a string or null, got 5'],
    ['nullable save_model', { save_model: true }, 'save_model: expected a string or null, got true'],
    [
      'component mappings',
      { method: 3 },
      "method: expected a preset name or a mapping with the component's name, got 3",
    ],
    [
      'component names',
      { method: { scaling_factor: 0.4 } },
      "method.name: missing; expected the method component's name",
    ],
    [
      'non-empty component names',
      { taskpool: { name: '' } },
      `taskpool.name: expected the taskpool component's name (a non-empty string), got ""`,
    ],
  ])('checks %s', (_case, values, message) => {
    fails(() => validateRunConfig({ ...components, ...values }), message);
  });

  it('requires a mapping', () => {
    fails(
      () => validateRunConfig('ties'),
      'Run config: expected a mapping of method, modelpool, taskpool, plugins, seed, backend, output_dir, run_name, save_model, held_out, got "ties"',
    );
  });
});

describe('validateRunConfig with other frameworks’ top-level keys', () => {
  const components = { method: { name: 'ties' }, modelpool: { name: 'p' }, taskpool: { name: 't' } };

  it('renames merged_model_save_path to save_model', () => {
    const config = validateRunConfig({ ...components, merged_model_save_path: 'out/merged' });
    expect(config.save_model).toBe('out/merged');
    expect(config).not.toHaveProperty('merged_model_save_path');
  });

  it('drops keys whose value asks for what a run does anyway', () => {
    const config = validateRunConfig({ ...components, print_config: false, fast_dev_run: false });
    expect(config).toEqual({ ...components, ...RUN_CONFIG_DEFAULTS });
  });

  it('refuses the others with one line naming the key', () => {
    fails(
      () => validateRunConfig({ ...components, fast_dev_run: true }),
      "fast_dev_run: not supported here; for a quick run lower method.max_steps and the task pool's test_limit",
    );
    expect(() => validateRunConfig({ ...components, fabric: { loggers: { root_dir: 'logs' } } })).toThrow(
      /^fabric\.loggers\.root_dir: not supported here; runs use no Lightning Fabric/,
    );
  });
});
