import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MergebenchError } from '../errors.js';
import { isProcessAlive } from './process-alive.js';

/*
 * One writer per run folder. The lock is a file next to the folder (`.<name>.lock`, so that
 * taking it creates nothing inside a folder that may never be used), holding the owner's pid,
 * host and start time. It is written whole under a temporary name and then linked to the lock's
 * name, which fails if the lock exists: a process killed while taking it leaves no empty lock
 * that no one could identify, only its temporary file, which the next sweep removes. A lock
 * whose owner ran on this host and is no longer alive is stale and taken over; a lock from another host cannot be checked and is
 * reported with the file to delete. No library is used: proper-lockfile (the maintained choice)
 * detects staleness by mtime updated on a timer, which misjudges a busy process, and this lock
 * needs nothing beyond an exclusive create and a pid check.
 */

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface RunLock {
  /** The locked folder. */
  readonly dir: string;
  /** The lock file. */
  readonly file: string;
  /** Removes the lock file (once; later calls do nothing). */
  release(): Promise<void>;
}

/** The lock file of a run folder. */
export function runLockFile(dir: string): string {
  const target = resolve(dir);
  return join(dirname(target), `.${basename(target)}.lock`);
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host, since: String(value.since ?? '?') }
      : undefined;
  } catch {
    return undefined; // garbage: a lock is written whole before it gets its name
  }
}

/** Whether a lock's owner is certainly gone: it ran on this host and its pid is not alive. */
export function isStaleHolder(text: string): boolean {
  const holder = parseHolder(text);
  return holder !== undefined && holder.host === hostname() && !isProcessAlive(holder.pid);
}

/** A lock's temporary file (`<lock>.<pid>-<8 hex>.tmp`), and the pattern that finds one. */
const lockTempFile = (file: string) => `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
const LOCK_TEMP_FILE = /^\..+\.lock\.\d+-[0-9a-f]{8}\.tmp$/;
/** A lock's temporary file lives microseconds; one this old was left by a killed process. */
const ABANDONED_TEMP_MS = 60_000;

async function tryCreate(file: string, record: string): Promise<boolean> {
  const temp = lockTempFile(file);
  try {
    await writeFile(temp, record);
    await link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MergebenchError(
      `cannot lock ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Moves a stale lock aside and deletes it. Another process may have replaced it meanwhile; then
 * the file moved aside is not the stale one read, and it is linked back (link fails rather than
 * overwrite) so the live holder keeps its lock.
 */
async function breakStale(file: string, seen: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== seen) await link(aside, file).catch(() => {});
  await rm(aside, { force: true });
}

/**
 * Takes the lock of the run folder `dir` (whose parent must exist) or fails at once with one line
 * naming the folder and the holder. A lock left by a dead process on this host is taken over.
 */
export async function acquireRunLock(dir: string): Promise<RunLock> {
  const file = runLockFile(dir);
  const record = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file, record)) {
      let held = true;
      return {
        dir: resolve(dir),
        file,
        release: async () => {
          if (!held) return;
          held = false;
          await rm(file, { force: true });
        },
      };
    }
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? undefined : '',
    );
    // Gone since the create failed (another run swept it as stale): try again.
    if (text === undefined) continue;
    if (!isStaleHolder(text)) {
      const holder = parseHolder(text);
      const who = holder
        ? `process ${holder.pid} on ${holder.host} since ${holder.since}`
        : 'another process';
      throw new MergebenchError(
        `run folder ${resolve(dir)} is in use by ${who} (lock ${file}); wait for it, choose another run_name, or delete the lock if that process is gone`,
      );
    }
    await breakStale(file, text);
  }
  throw new MergebenchError(`cannot lock ${resolve(dir)}: its lock ${file} keeps changing`);
}

/**
 * Removes the stale locks in `parent` (left by killed runs on this host), abandoned temporary
 * lock files, and those runs' folders when they are empty, so a run killed before it wrote
 * anything leaves nothing behind.
 */
export async function clearAbandonedRuns(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (LOCK_TEMP_FILE.test(name)) {
      const modified = await stat(join(parent, name)).then(
        (st) => st.mtimeMs,
        () => Date.now(),
      );
      if (Date.now() - modified > ABANDONED_TEMP_MS) await rm(join(parent, name), { force: true });
      continue;
    }
    const match = /^\.(.+)\.lock$/.exec(name);
    if (!match) continue;
    const file = join(parent, name);
    const text = await readFile(file, 'utf8').catch(() => '');
    if (!isStaleHolder(text)) continue;
    await breakStale(file, text);
    await rmdir(join(parent, match[1])).catch(() => {}); // only when empty
  }
}
