import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readlink, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MergebenchError } from '../errors.js';

type Found = 'dir' | 'other' | 'missing' | 'dangling';

async function whatIsAt(path: string, label: string): Promise<Found> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return 'missing'; // an ancestor is a file: found on the way up
    if (code !== 'ENOENT') throw new MergebenchError(`${label}: cannot reach ${path} (${code})`);
    try {
      return (await lstat(path)).isSymbolicLink() ? 'dangling' : 'missing';
    } catch {
      return 'missing';
    }
  }
}

/**
 * Creates the folder `dir` and its missing ancestors, one level at a time, and returns the folders
 * it created (outermost first). Node's own `mkdir(…, { recursive: true })` loops forever on paths
 * such as `/proc/x` (ENOENT from the child, EEXIST from the parent), so it is not used for paths
 * a user gives. Every failure is one MergebenchError naming `label` and the path at fault: an
 * ancestor that is a file, a dangling symbolic link, a folder the system refuses to create.
 */
export async function makeDirs(dir: string, label: string): Promise<string[]> {
  const missing: string[] = [];
  for (let path = resolve(dir); ; ) {
    const found = await whatIsAt(path, label);
    if (found === 'dir') break;
    if (found === 'other') throw new MergebenchError(`${label}: ${path} exists and is not a folder`);
    if (found === 'dangling') {
      const to = await readlink(path).catch(() => '?');
      throw new MergebenchError(`${label}: ${path} is a symbolic link to ${to}, which does not exist`);
    }
    missing.push(path);
    const parent = dirname(path);
    if (parent === path)
      throw new MergebenchError(`${label}: cannot create ${dir}: no folder above it exists`);
    path = parent;
  }
  const created: string[] = [];
  for (const path of missing.reverse()) {
    try {
      await mkdir(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await whatIsAt(path, label)) === 'dir') continue;
      await removeCreated(created);
      throw new MergebenchError(
        `${label}: cannot create the folder ${path} (${code ?? (err as Error).message})`,
      );
    }
    created.push(path);
  }
  return created;
}

/** Removes folders makeDirs created (innermost first), where they are still empty. */
export async function removeCreated(created: readonly string[]): Promise<void> {
  for (const path of [...created].reverse()) await rmdir(path).catch(() => {});
}

/**
 * Checks, before any work, that a folder can be created or replaced at `dir`: its parent can be
 * created and accepts a new entry, and `dir` is a folder or absent. Leaves nothing behind.
 */
export async function checkCreatableDir(dir: string, label: string): Promise<void> {
  const target = resolve(dir);
  const found = await whatIsAt(target, label);
  if (found === 'other') throw new MergebenchError(`${label}: ${target} exists and is not a folder`);
  if (found === 'dangling') {
    const to = await readlink(target).catch(() => '?');
    throw new MergebenchError(`${label}: ${target} is a symbolic link to ${to}, which does not exist`);
  }
  const created = await makeDirs(dirname(target), label);
  // A probe entry: a folder may exist yet refuse new entries (read-only, /proc). It is named like
  // atomic.ts's temporaries, so a run killed right here leaves nothing the next run keeps.
  const probe = join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await mkdir(probe);
    await rmdir(probe);
  } catch (err) {
    throw new MergebenchError(
      `${label}: cannot create entries in ${dirname(target)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  } finally {
    await removeCreated(created);
  }
}
