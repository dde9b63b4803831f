/**
 * File patterns as huggingface_hub's `allow_patterns` reads them (Python's fnmatch): `*` matches
 * any run of characters, slashes included, so `*.json` also matches `text/config.json`; `?` one
 * character; `[abc]` and `[!abc]` a set. A pattern ending in `/` means everything under it.
 * Keeping these semantics lets the same patterns serve FusionBench configs and mergebench.
 */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern.endsWith('/') ? `${pattern}*` : pattern;
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = source.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let set = source.slice(i + 1, close);
      const negated = set.startsWith('!');
      if (negated) set = set.slice(1);
      out += `[${negated ? '^' : ''}${set.replaceAll('\\', '\\\\').replaceAll('^', '\\^')}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

/** Whether `path` matches at least one of `patterns`. */
export function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(path));
}
