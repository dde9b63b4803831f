/** Where a command writes and the folder it was run from. */
export interface CommandIo {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * A command of the `mergebench` CLI provided by an installed plugin package (`mergebench worker`
 * from a queue package, say), so that core names no plugin package. The built-in commands win
 * over a plugin's of the same name. It receives the arguments after its name, parses them
 * itself, and throws a MergebenchError (printed as one line) for what the user must fix.
 */
export interface CliCommand {
  /** The word after `mergebench`, e.g. `worker`. */
  readonly name: string;
  /** Usage and a one-line description, shown by `mergebench list` and the command's errors. */
  readonly usage: string;
  /** Runs the command; resolves to the exit code (0 when undefined). */
  run(argv: readonly string[], io: CommandIo): Promise<number | undefined>;
}
