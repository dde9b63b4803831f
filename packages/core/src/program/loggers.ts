import type { Logger } from '../contracts/logger.js';

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/** Writes to stderr so stdout carries only results (tables, `config --show`). */
export function stderrLogger({ verbose = false } = {}): Logger {
  return {
    info: (m) => process.stderr.write(`${m}\n`),
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    debug: (m) => {
      if (verbose) process.stderr.write(`${m}\n`);
    },
  };
}

/** Collects lines, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
}
