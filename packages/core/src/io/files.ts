import { readFile, stat } from 'node:fs/promises';
import { MergebenchError } from '../errors.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a file holding a JSON object. A missing file (`${path}: ${missing}`), an unreadable one,
 * invalid JSON or a value other than an object is a MergebenchError naming the path.
 */
export async function readJsonObject(path: string, missing: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MergebenchError(`${path}: ${missing}`);
    throw new MergebenchError(`${path}: cannot read (${(err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(value)) throw new MergebenchError(`${path}: expected a JSON object`);
  return value;
}

/** What is at `path`: a folder, something else (a file), or nothing. */
export async function pathKind(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
