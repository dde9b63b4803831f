import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MergebenchError } from '../errors.js';
import { errorLine } from './error-line.js';

/** Parses YAML; a syntax error becomes one line naming the file and the position. */
export function parseYaml(text: string, file: string, label: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new MergebenchError(`${label} ${file}: invalid YAML: ${errorLine(error)}`);
  }
}

export function readYamlFile(file: string, label: string): unknown {
  return parseYaml(readFileSync(file, 'utf8'), file, label);
}
