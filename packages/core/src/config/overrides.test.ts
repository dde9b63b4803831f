import { describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { applyOverrides, parseOverride, parseOverrides } from './overrides.js';

const VALUE_HINT = "expected a YAML value such as 0.4, true, null, [1, 2], {a: 1} or 'quoted text'";
const FORM_HINT = 'expected key=value or a.b.c=value, e.g. method.scaling_factor=0.4';

describe('parseOverrides', () => {
  it('splits dotted keys and parses values as YAML', () => {
    expect(parseOverrides(['method=ties', 'method.scaling_factor=0.4', 'seed=1'])).toEqual([
      { path: ['method'], value: 'ties' },
      { path: ['method', 'scaling_factor'], value: 0.4 },
      { path: ['seed'], value: 1 },
    ]);
  });

  it.each([
    ['a=0.4', 0.4],
    ['a=-3', -3],
    ['a=true', true],
    ['a=false', false],
    ['a=null', null],
    ['a=~', null],
    ['a=', null],
    ['a=[1, 2]', [1, 2]],
    ['a=[]', []],
    ['a={a: 1, b: [x]}', { a: 1, b: ['x'] }],
    ["a='quoted'", 'quoted'],
    ["a='0.4'", '0.4'],
    ['a="true"', 'true'],
    ['a=bare', 'bare'],
    ['a=yes', 'yes'],
    ['a=./ckpt/base', './ckpt/base'],
    ['a=x=y', 'x=y'],
    ['a=two words', 'two words'],
    // npm scopes: YAML reserves a leading `@`, but a package name is what is meant.
    ['plugins=[@mergebench/example-method-median]', ['@mergebench/example-method-median']],
    ['a=@scope/pkg', '@scope/pkg'],
    ['a=[x, @s/p, "@q/r"]', ['x', '@s/p', '@q/r']],
    ['a={p: @s/p}', { p: '@s/p' }],
  ])('%s', (arg, value) => {
    expect(parseOverride(arg).value).toEqual(value);
  });

  it('accepts digits, underscores and dashes in key segments', () => {
    expect(parseOverride('modelpool.models._pretrained_=./base').path).toEqual([
      'modelpool',
      'models',
      '_pretrained_',
    ]);
    expect(parseOverride('taskpool.tasks.svhn-2=x').path).toEqual(['taskpool', 'tasks', 'svhn-2']);
  });

  it.each([
    ['foo', `Invalid override "foo": ${FORM_HINT}`],
    ['=3', `Invalid override "=3": ${FORM_HINT}`],
    ['a..b=1', `Invalid override "a..b=1": "a..b" is not a dotted key; ${FORM_HINT}`],
    ['.a=1', `Invalid override ".a=1": ".a" is not a dotted key; ${FORM_HINT}`],
    ['a.=1', `Invalid override "a.=1": "a." is not a dotted key; ${FORM_HINT}`],
    ['a b=1', `Invalid override "a b=1": "a b" is not a dotted key; ${FORM_HINT}`],
    ['--seed=1', `Invalid override "--seed=1": "--seed" is not a dotted key; ${FORM_HINT}`],
    [
      'a=[1',
      `Invalid override "a=[1": bad YAML value (Flow sequence must end with a ] at line 1, column 3); ${VALUE_HINT}`,
    ],
    [
      'a={b: 1',
      `Invalid override "a={b: 1": bad YAML value (Flow map must end with a } at line 1, column 6); ${VALUE_HINT}`,
    ],
    [
      "a='x",
      `Invalid override "a='x": bad YAML value (Missing closing 'quote at line 1, column 3); ${VALUE_HINT}`,
    ],
    [
      'a=!x',
      `Invalid override "a=!x": bad YAML value (Unresolved tag: !x at line 1, column 1); ${VALUE_HINT}`,
    ],
    [
      'a=*x',
      `Invalid override "a=*x": bad YAML value (Unresolved alias (the anchor must be set before the alias): x); ${VALUE_HINT}`,
    ],
    ['a=b: c', `Invalid override "a=b: c": "b: c" is not a single value; ${VALUE_HINT}`],
    ['a=- x', `Invalid override "a=- x": "- x" is not a single value; ${VALUE_HINT}`],
  ])('rejects %s', (arg, message) => {
    expect(() => parseOverrides(['seed=1', arg])).toThrow(new MergebenchError(message));
  });
});

describe('applyOverrides', () => {
  it('sets nested values, creating mappings, without changing the input', () => {
    const config = { method: { name: 'ties', threshold: 20 }, seed: 42 };
    const result = applyOverrides(
      config,
      parseOverrides(['method.scaling_factor=0.4', 'modelpool.models.mnist=./m', 'seed=1', 'seed=2']),
    );
    expect(result).toEqual({
      method: { name: 'ties', threshold: 20, scaling_factor: 0.4 },
      modelpool: { models: { mnist: './m' } },
      seed: 2,
    });
    expect(config).toEqual({ method: { name: 'ties', threshold: 20 }, seed: 42 });
  });

  it('replaces a null on the way with a mapping', () => {
    expect(applyOverrides({ save_model: null }, parseOverrides(['save_model.dir=x']))).toEqual({
      save_model: { dir: 'x' },
    });
  });

  it('refuses to descend into a value that is not a mapping', () => {
    expect(() => applyOverrides({ method: { name: 'ties' } }, parseOverrides(['method.name.x=1']))).toThrow(
      new MergebenchError('Cannot set method.name.x: method.name is "ties", not a mapping of keys'),
    );
  });

  it('keeps __proto__ an ordinary key', () => {
    const result = applyOverrides({}, parseOverrides(['__proto__.polluted=1']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });
});
