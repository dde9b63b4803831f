import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MergebenchError } from '../errors.js';
import { pathKind } from './files.js';
import { makeDirs } from './make-dirs.js';

/** A name next to `path` (same folder, so a rename is atomic), hidden, unique to this call. */
function siblingName(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** fsyncs a folder so that a rename inside it survives a crash; some file systems refuse, which is fine. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported here (e.g. some network or Windows file systems): the rename still happened
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Writes all of `data` at `position`, looping over partial writes and in chunks of at most 1 GiB. */
export async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  const chunk = 1 << 30;
  let done = 0;
  while (done < data.byteLength) {
    const length = Math.min(chunk, data.byteLength - done);
    const { bytesWritten } = await handle.write(data, done, length, position + done);
    done += bytesWritten;
  }
}

/**
 * Creates `path` through a temporary sibling: `write` fills the open file, which is then fsynced
 * and renamed over `path`. Readers see the old file or the complete new one, never a partial one;
 * on failure the temporary file is removed and `path` is untouched. The parent folder must exist.
 */
export async function withAtomicFile(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const tmp = siblingName(path, 'tmp');
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      throw new MergebenchError(`cannot write ${path}: folder ${dirname(path)} does not exist`);
    });
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dirname(path));
}

/** Writes `data` to `path` atomically (temp sibling, fsync, rename). The parent folder must exist. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  await withAtomicFile(path, (handle) => writeAll(handle, bytes, 0));
}

export interface ReplaceDirOptions {
  /** Replace an existing folder at the target (default false: an existing target is an error). */
  readonly overwrite?: boolean;
}

/**
 * Builds a folder and moves it into place as a whole: `fill` writes into a fresh temporary
 * sibling of `targetDir`, which is then renamed to `targetDir`. If `fill` (or the move) fails, the
 * temporary folder is removed and whatever was at `targetDir` is left as it was.
 *
 * Without `overwrite` an existing target is an error. With it, the old folder is renamed aside,
 * the new one moved in, and only then is the old one deleted (it is moved back if the move in
 * fails). The parent folder is created when missing.
 */
export async function replaceDirAtomic(
  targetDir: string,
  fill: (tmpDir: string) => Promise<void>,
  options: ReplaceDirOptions = {},
): Promise<void> {
  const target = resolve(targetDir);
  const overwrite = options.overwrite ?? false;
  const checkTarget = async () => {
    const found = await pathKind(target);
    if (found === 'file')
      throw new MergebenchError(`${targetDir} exists and is not a folder; not replacing it`);
    if (found && !overwrite) {
      throw new MergebenchError(`${targetDir} already exists; pass overwrite to replace it`);
    }
    return found === 'dir';
  };
  await checkTarget(); // fail before doing the work
  await makeDirs(dirname(target), targetDir);
  const tmp = siblingName(target, 'tmp');
  await mkdir(tmp);
  let oldCopy: string | undefined;
  try {
    await fill(tmp);
    // Checked again: the target may have appeared meanwhile, and rename() would silently replace
    // an empty folder.
    const hadTarget = await checkTarget();
    if (!hadTarget) {
      await rename(tmp, target);
    } else {
      const old = siblingName(target, 'old');
      await rename(target, old);
      try {
        await rename(tmp, target);
      } catch (err) {
        await rename(old, target).catch(() => {});
        throw err;
      }
      oldCopy = old;
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dirname(target));
  if (oldCopy) {
    const old = oldCopy;
    await rm(old, { recursive: true, force: true }).catch((err: Error) => {
      throw new MergebenchError(
        `replaced ${targetDir}, but could not delete its old copy ${old}: ${err.message}`,
      );
    });
  }
}
