import { MergebenchError } from '../errors.js';

export interface CliArgs {
  readonly command: string | undefined;
  /** `key=value` overrides, in order; for `download`, the names to fetch. */
  readonly overrides: string[];
  readonly flags: {
    readonly config?: string;
    readonly backend?: string;
    readonly show?: boolean;
    readonly json?: boolean;
    readonly verbose?: boolean;
    /** `run`: delete what an earlier run left in the run's folder and start over. */
    readonly fresh?: boolean;
    readonly help?: boolean;
    readonly version?: boolean;
    /** `run`: plugins may load from paths given on the command line or in YAML/JSON configs. */
    readonly 'allow-plugin-paths'?: boolean;
    /** `download`: `--repo-type`, `--revision`, `--cache-dir`, and `--include` (repeatable). */
    readonly 'repo-type'?: string;
    readonly revision?: string;
    readonly 'cache-dir'?: string;
    readonly include?: string[];
  };
}

const VALUE_FLAGS = new Set(['config', 'backend', 'repo-type', 'revision', 'cache-dir']);
/** Flags that may be given several times; their values are collected in order. */
const LIST_FLAGS = new Set(['include']);
const BOOLEAN_FLAGS = new Set(['show', 'json', 'verbose', 'help', 'version', 'allow-plugin-paths', 'fresh']);

/** `mergebench <command> [key=value ...] [--flag [value]]` */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let command: string | undefined;
  const overrides: string[] = [];
  const flags: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') flags.help = true;
    else if (arg === '-v') flags.version = true;
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (VALUE_FLAGS.has(name) || LIST_FLAGS.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith('--'))
          throw new MergebenchError(`--${name}: expected a value`);
        flags[name] = LIST_FLAGS.has(name)
          ? [...((flags[name] as string[] | undefined) ?? []), value]
          : value;
      } else if (BOOLEAN_FLAGS.has(name) && inline === undefined) flags[name] = true;
      else
        throw new MergebenchError(
          `unknown option '${arg}'; known: ${[...VALUE_FLAGS, ...LIST_FLAGS, ...BOOLEAN_FLAGS].map((f) => `--${f}`).join(', ')}`,
        );
    } else if (command === undefined && !arg.includes('=')) command = arg;
    else overrides.push(arg);
  }
  return { command, overrides, flags };
}
