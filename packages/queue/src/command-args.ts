import { MergebenchError } from '@mergebench/core';

/** `--name value` flags and positional words of a plugin command; unknown flags are errors. */
export function parseCommandArgs(
  argv: readonly string[],
  known: { readonly values: readonly string[]; readonly booleans: readonly string[] },
  usage: string,
): { flags: Map<string, string | true>; words: string[] } {
  const flags = new Map<string, string | true>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (known.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--'))
        throw new MergebenchError(`--${name}: expected a value; usage: ${usage}`);
      flags.set(name, value);
    } else if (known.booleans.includes(name) && inline === undefined) flags.set(name, true);
    else throw new MergebenchError(`unknown option '--${name}'; usage: ${usage}`);
  }
  return { flags, words };
}

/** A positive integer flag, or its default. */
export function positiveInteger(value: string | true | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new MergebenchError(`--${name}: expected a positive integer, got '${value}'`);
  return n;
}

/**
 * The queue's URL: `--queue`, else MERGEBENCH_QUEUE (which keeps a password out of process
 * listings, where any user of the machine sees command lines).
 */
export function queueUrl(given: string | true | undefined, usage: string): string {
  const url = typeof given === 'string' ? given : process.env.MERGEBENCH_QUEUE;
  if (!url)
    throw new MergebenchError(
      `no queue: give --queue redis://host:port or set MERGEBENCH_QUEUE; usage: ${usage}`,
    );
  return url;
}
