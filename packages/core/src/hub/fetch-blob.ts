import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { downloadFile, fileDownloadInfo, HubApiError } from '@huggingface/hub';
import { MergebenchError } from '../errors.js';
import type { HubRepo } from './cache.js';
import { describeRepo, type HubRequestContext, hubError } from './hub-errors.js';

/** One file of a repository at a commit, as the tree API lists it. */
export interface RemoteFile {
  readonly path: string;
  readonly size: number;
  /**
   * The cache's blob name, as huggingface_hub names it: the sha256 of the content for LFS files,
   * the git blob id (sha1 of `blob <size>\0<content>`) for the others.
   */
  readonly etag: string;
  readonly lfs: boolean;
}

export interface FetchBlobOptions {
  /** The repository, its revision the commit the file was listed at. */
  readonly repo: HubRepo;
  readonly endpoint: string;
  readonly accessToken?: string;
  readonly tokenSource?: string;
  /** Tries per file; a dropped connection resumes from the bytes already on disk. */
  readonly attempts: number;
  /** Bytes on disk so far (the resumed part included); called first with the starting offset. */
  readonly onBytes?: (done: number) => void;
}

/** The hash a file's etag is: sha256 of the bytes for LFS, git's blob sha1 otherwise. */
function contentHash(file: RemoteFile): Hash {
  if (file.lfs) return createHash('sha256');
  return createHash('sha1').update(`blob ${file.size}\0`);
}

/** Size of a file, 0 when it does not exist. */
async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** Raised inside one try when the bytes on disk are wrong; the partial file is gone by then. */
class CorruptDownload extends Error {}

/** Why a body stream stopped: undici's socket message, or the stream's reason (a string at times). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return cause?.message ?? cause?.code ?? error.message;
  }
  return String(error);
}

/**
 * Fetches one file into `blobPath` (the cache's `blobs/<etag>`), through `<blobPath>.incomplete`
 * renamed into place only once its size and hash check out, so a blob in the cache is always
 * whole.
 *
 * Resuming is ours: the client's `downloadFileToCacheDir` truncates `.incomplete` and starts
 * over, so this keeps its primitives (`fileDownloadInfo` for the URL and size, `downloadFile`'s
 * blob whose `slice(offset)` asks for `Range: bytes=offset-`) and appends to the partial file,
 * exactly as huggingface_hub resumes its own `.incomplete` files. The plain HTTP path
 * (`xet: false`) is taken because the resolve URL serves every file, with ranges.
 * Returns the number of bytes fetched over the network.
 */
export async function fetchBlob(
  blobPath: string,
  file: RemoteFile,
  options: FetchBlobOptions,
): Promise<number> {
  const partial = `${blobPath}.incomplete`;
  const ctx: HubRequestContext = {
    repo: options.repo,
    endpoint: options.endpoint,
    tokenSource: options.tokenSource,
  };
  const what = `${file.path} of ${describeRepo(options.repo)}`;
  let fetched = 0;
  for (let attempt = 1; ; attempt++) {
    const before = await sizeOf(partial);
    try {
      await fetchOnce(partial, file, options, ctx);
      fetched += (await sizeOf(partial)) - before;
      await rename(partial, blobPath);
      return fetched;
    } catch (error) {
      const onDisk = await sizeOf(partial);
      fetched += Math.max(0, onDisk - before);
      if (error instanceof MergebenchError) throw error;
      if (error instanceof HubApiError && error.statusCode < 500) throw hubError(error, ctx);
      if (attempt < options.attempts) {
        // A short pause before resuming: a dropped connection is often a passing glitch.
        await new Promise((ok) => setTimeout(ok, 200 * attempt));
        continue;
      }
      if (error instanceof CorruptDownload)
        throw new MergebenchError(`${what}: ${error.message}; run the command again`);
      if (error instanceof HubApiError) throw hubError(error, ctx);
      throw new MergebenchError(
        `${what}: the download from ${options.endpoint} was interrupted (${reasonOf(error)}) at ${onDisk} of ${file.size} bytes; run the command again to resume`,
      );
    }
  }
}

/** One try: hash what is on disk, fetch the rest with a range, check size and hash. */
async function fetchOnce(
  partial: string,
  file: RemoteFile,
  options: FetchBlobOptions,
  ctx: HubRequestContext,
): Promise<void> {
  let offset = await sizeOf(partial);
  if (offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  const hash = contentHash(file);
  if (offset > 0) for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
  options.onBytes?.(offset);
  let done = offset;
  if (file.size === 0) await writeFile(partial, '');
  else if (offset < file.size) {
    const repo = { type: options.repo.type, name: options.repo.id };
    const common = {
      repo,
      path: file.path,
      revision: options.repo.revision,
      hubUrl: options.endpoint,
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    };
    let info: Awaited<ReturnType<typeof fileDownloadInfo>>;
    try {
      info = await fileDownloadInfo(common);
    } catch (error) {
      if (error instanceof HubApiError) throw error;
      throw hubError(error, ctx);
    }
    if (!info)
      throw new MergebenchError(
        `${file.path}: not found in ${describeRepo(options.repo)} on ${options.endpoint}`,
      );
    const blob = await downloadFile({ ...common, downloadInfo: info, xet: false });
    if (!blob)
      throw new MergebenchError(
        `${file.path}: not found in ${describeRepo(options.repo)} on ${options.endpoint}`,
      );
    const body = (offset > 0
      ? blob.slice(offset)
      : blob
    ).stream() as unknown as WebReadableStream<Uint8Array>;
    // Each chunk is on disk before the next is read, so a dropped connection keeps all it got.
    const out = await open(partial, 'a');
    try {
      for await (const chunk of Readable.fromWeb(body)) {
        await out.write(chunk as Buffer);
        hash.update(chunk as Buffer);
        done += (chunk as Buffer).length;
        options.onBytes?.(done);
      }
    } finally {
      await out.close();
    }
  }
  if (done !== file.size) {
    if (done > file.size) await rm(partial, { force: true });
    throw done > file.size
      ? new CorruptDownload(`got ${done} bytes, expected ${file.size}; removed the partial file`)
      : new Error(`the body ended at ${done} of ${file.size} bytes`);
  }
  const digest = hash.digest('hex');
  if (digest !== file.etag) {
    await rm(partial, { force: true });
    throw new CorruptDownload(
      `the bytes fetched hash to ${digest}, expected ${file.etag}; removed the partial file`,
    );
  }
}
