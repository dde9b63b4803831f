import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../contracts/params.js';
import { MergebenchError } from '../errors.js';
import { validateParams } from './validate.js';

// A method declared with another framework's spellings beside its own.
const SPECS: ParamSpec[] = [
  { name: 'max_steps', type: 'integer', description: '', default: 1000, min: 0, aliases: ['num_steps'] },
  {
    name: 'batch_size',
    type: 'integer',
    description: '',
    default: 16,
    min: 1,
    foreignNames: {
      devices: { accepts: [1], hint: 'one device only: give the whole batch as batch_size' },
      num_workers: { accepts: 'any', hint: 'batches are read in process' },
      use_grad_accumulate: { hint: 'gradients are always accumulated over tasks' },
    },
  },
  { name: 'exclude_keys', type: 'string[]', description: '', default: [], aliases: ['remove_keys'] },
];

function fails(run: () => unknown, message: string): void {
  expect(run).toThrow(new MergebenchError(message));
}

describe('parameter aliases', () => {
  it('gives an aliased value under the declared name', () => {
    expect(validateParams('method', { name: 'x', num_steps: 5, remove_keys: ['a'] }, SPECS)).toEqual({
      name: 'x',
      max_steps: 5,
      batch_size: 16,
      exclude_keys: ['a'],
    });
  });

  it('names the key the user wrote when its value is wrong', () => {
    fails(
      () => validateParams('method', { num_steps: -1 }, SPECS),
      'method.num_steps: expected an integer >= 0, got -1',
    );
  });

  it('refuses a parameter given under two of its names', () => {
    fails(
      () => validateParams('method', { max_steps: 5, num_steps: 6 }, SPECS),
      'method.num_steps: names the same parameter as method.max_steps; give only one (max_steps)',
    );
  });

  it('keeps listing the declared names only for unknown keys', () => {
    fails(
      () => validateParams('method', { steps: 5 }, SPECS),
      'method.steps: unknown parameter; known parameters: max_steps, batch_size, exclude_keys',
    );
  });
});

describe('foreign names', () => {
  it('accepts and drops harmless values', () => {
    expect(validateParams('method', { devices: 1, num_workers: 16 }, SPECS)).toEqual({
      max_steps: 1000,
      batch_size: 16,
      exclude_keys: [],
    });
  });

  it('refuses other values with the hint', () => {
    fails(
      () => validateParams('method', { devices: 4 }, SPECS),
      'method.devices: not supported here; one device only: give the whole batch as batch_size',
    );
    fails(
      () => validateParams('method', { use_grad_accumulate: false }, SPECS),
      'method.use_grad_accumulate: not supported here; gradients are always accumulated over tasks',
    );
  });

  it('rejects a declaration that uses one name twice', () => {
    const clash: ParamSpec[] = [
      { name: 'lr', type: 'number', description: '', default: 1 },
      { name: 'rate', type: 'number', description: '', default: 1, aliases: ['lr'] },
    ];
    expect(() => validateParams('method', {}, clash)).toThrow(/declared twice/);
  });
});

describe('deprecated parameter names', () => {
  const renamed: ParamSpec[] = [
    {
      name: 'save_state_every',
      type: 'integer',
      description: '',
      default: 100,
      deprecatedNames: ['checkpoint_every'],
    },
  ];

  it('takes a former name under the name now, with one warning line naming both', () => {
    const warnings: string[] = [];
    const values = validateParams('method', { checkpoint_every: 5 }, renamed, (line) => warnings.push(line));
    expect(values).toEqual({ save_state_every: 5 });
    expect(warnings).toEqual([
      'method.checkpoint_every is deprecated: use method.save_state_every (the same setting)',
    ]);
  });

  it('warns of nothing for the name now, and refuses both names at once', () => {
    const warnings: string[] = [];
    expect(validateParams('method', { save_state_every: 5 }, renamed, (line) => warnings.push(line))).toEqual(
      {
        save_state_every: 5,
      },
    );
    expect(warnings).toEqual([]);
    fails(
      () => validateParams('method', { save_state_every: 5, checkpoint_every: 5 }, renamed, () => {}),
      'method.checkpoint_every: names the same parameter as method.save_state_every; give only one (save_state_every)',
    );
  });
});
