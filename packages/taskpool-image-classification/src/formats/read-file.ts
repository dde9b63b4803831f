import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MergebenchError } from '@mergebench/core';

/**
 * Reads a data file; a missing one is reported with `installHint` (how to get the data set), so
 * the message tells the user what to install rather than only what is absent.
 */
export async function readDataFile(path: string, installHint: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MergebenchError(`${path}: not found; ${installHint}`);
    if (code === 'EISDIR') throw new MergebenchError(`${path}: is a folder, expected a file; ${installHint}`);
    throw new MergebenchError(`${path}: cannot read (${(err as Error).message})`);
  }
}

/** Gunzips `bytes` when they start with the gzip magic; other bytes are returned unchanged. */
export function maybeGunzip(bytes: Uint8Array, origin: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new MergebenchError(`${origin}: corrupt gzip data (${(err as Error).message})`);
  }
}
