import { describe, expect, it } from 'vitest';
import { keyPatterns } from './key-patterns.js';

const keys = [
  'embed.weight',
  'layers.0.mlp.fc1.weight',
  'layers.0.mlp.fc1.bias',
  'layers.10.norm.bias',
  'logit_scale',
];

describe('keyPatterns', () => {
  it('matches globs against the whole name, * across dots', () => {
    const p = keyPatterns(['*.bias', 'layers.?.mlp.*', 'logit_scale'], 'exclude_keys');
    expect(keys.filter(p.matches)).toEqual([
      'layers.0.mlp.fc1.weight',
      'layers.0.mlp.fc1.bias',
      'layers.10.norm.bias',
      'logit_scale',
    ]);
    expect(keyPatterns(['embed'], 'x').matches('embed.weight')).toBe(false);
    expect(keyPatterns(['a.b'], 'x').matches('axb')).toBe(false);
  });

  it('searches /regular expressions/ anywhere in the name', () => {
    const p = keyPatterns(['/fc1\\.(weight|bias)$/', '/^logit/'], 'exclude_keys');
    expect(keys.filter(p.matches)).toEqual([
      'layers.0.mlp.fc1.weight',
      'layers.0.mlp.fc1.bias',
      'logit_scale',
    ]);
  });

  it('lists the patterns that match nothing', () => {
    expect(keyPatterns(['*.weight', 'head.*', '/xyz/'], 'x').unmatched(keys)).toEqual(['head.*', '/xyz/']);
  });

  it('rejects invalid regular expressions and empty patterns, naming the entry', () => {
    expect(() => keyPatterns(['ok', '/[/'], 'method.exclude_keys')).toThrow(
      "method.exclude_keys[1]: '/[/' is not a valid regular expression (Invalid regular expression: /[/: Unterminated character class)",
    );
    expect(() => keyPatterns([''], 'method.exclude_keys')).toThrow(
      'method.exclude_keys[0]: expected a non-empty parameter name or pattern, got ""',
    );
  });
});
