/**
 * Parameter-name patterns, as used by `exclude_keys`: `/body/` is a regular expression searched
 * anywhere in the name (`/\.bias$/`); anything else is a glob matched against the whole name,
 * where `*` stands for any run of characters (dots included) and `?` for one character, so a
 * plain name matches only itself and `*.layer_norm*` every layer norm.
 */
import { MergebenchError } from '@mergebench/core';

export interface KeyPatterns {
  /** The patterns as given. */
  readonly patterns: readonly string[];
  matches(key: string): boolean;
  /** The patterns that match none of `keys` (most likely typos). */
  unmatched(keys: readonly string[]): string[];
}

function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function compile(pattern: string, where: string): RegExp {
  const isRegExp = pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/');
  if (!isRegExp) return globToRegExp(pattern);
  try {
    return new RegExp(pattern.slice(1, -1));
  } catch (error) {
    throw new MergebenchError(
      `${where}: '${pattern}' is not a valid regular expression (${(error as Error).message})`,
    );
  }
}

/** Compiles the patterns; `what` names the list in errors, e.g. `method.exclude_keys`. */
export function keyPatterns(patterns: readonly string[], what: string): KeyPatterns {
  const compiled = patterns.map((pattern, i) => {
    if (typeof pattern !== 'string' || pattern === '') {
      throw new MergebenchError(
        `${what}[${i}]: expected a non-empty parameter name or pattern, got ${JSON.stringify(pattern)}`,
      );
    }
    return compile(pattern, `${what}[${i}]`);
  });
  return {
    patterns: [...patterns],
    matches: (key) => compiled.some((re) => re.test(key)),
    unmatched: (keys) => patterns.filter((_, i) => !keys.some((key) => compiled[i].test(key))),
  };
}
