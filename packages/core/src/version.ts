import { readFileSync } from 'node:fs';

/** The installed @mergebench/core version, recorded in every report. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
