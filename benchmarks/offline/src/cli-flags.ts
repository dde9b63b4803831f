import { MergebenchError } from '@mergebench/core';

/** `--name value` from argv: undefined when absent, an error naming the usage when its value is missing. */
export function cliFlags(argv: readonly string[], usage: string): (name: string) => string | undefined {
  return (name) => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0 && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) {
      throw new MergebenchError(`--${name}: expected a value; ${usage}`);
    }
    return i >= 0 ? argv[i + 1] : undefined;
  };
}
