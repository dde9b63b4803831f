/**
 * An error meant for the person running mergebench: its message is one line that names the
 * file, key or value at fault and what was expected. The CLI prints it without a stack trace.
 */
export class MergebenchError extends Error {
  override name = 'MergebenchError';
}

/** Throws a MergebenchError when `condition` is false. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new MergebenchError(typeof message === 'function' ? message() : message);
}

/** Lists names for an error message: `a, b, c` or `a, b, c, … (12 more)`. */
export function listNames(names: Iterable<string>, max = 8): string {
  const all = [...names];
  if (all.length === 0) return '(none)';
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown}, … (${all.length - max} more)` : shown;
}
