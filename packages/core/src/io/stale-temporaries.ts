import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './process-alive.js';

/** The hidden siblings atomic.ts writes through: `.<name>.tmp-<pid>-<8 hex>`. */
const TEMPORARY = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/**
 * Removes temporaries in `dir` (and, to `depth` levels, its subfolders) whose writer is no longer
 * running on this machine: a process killed while saving leaves them, and nothing else would ever
 * delete them. Only call it on a folder this process owns (holds the run lock of), so that no
 * live writer on another machine can share it; in a shared folder, pass `only` to remove only the
 * temporaries of that one entry. Returns the paths removed.
 */
export async function removeStaleTemporaries(dir: string, depth = 3, only?: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // absent or unreadable: nothing of ours to clean
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const match = TEMPORARY.exec(entry.name);
    const mine = only === undefined || entry.name.startsWith(`.${only}.tmp-`);
    if (match && mine && !isProcessAlive(Number(match[1]))) {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } else if (entry.isDirectory() && depth > 0) {
      removed.push(...(await removeStaleTemporaries(path, depth - 1, only)));
    }
  }
  return removed;
}
