import path from 'node:path';
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

/**
 * A path from the command line, resolved against the folder the command was run from. pnpm runs
 * a package's scripts in the package's folder and says where it was invoked in INIT_CWD, so
 * `pnpm bench --suite x.yaml` from the repository root reads the root's x.yaml.
 */
export function invocationPath(given: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), given);
}

/** invocationPath of a flag's value, undefined when the flag is absent. */
export function optionalPath(given: string | undefined): string | undefined {
  return given === undefined ? undefined : invocationPath(given);
}
