/**
 * The first meaningful line of an error from a library (YAML, JSON, a config module), to embed
 * in a one-line message; libraries add code frames and their own "Error in <file>" headers.
 */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !/^(JSON|YAML|TypeScript) Error in /.test(text));
  return (line ?? 'unknown error').replace(/:$/, '');
}
