import { readdirSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { datasetInfo, type ListFileEntry, listFiles, modelInfo } from '@huggingface/hub';
import type { HubDownload } from '../contracts/component.js';
import { listNames, MergebenchError } from '../errors.js';
import { hubEndpoint, hubToken } from './access.js';
import {
  cachedSnapshot,
  downloadCommand,
  type HubRepo,
  type HubRepoType,
  hubCacheDir,
  hubOffline,
  hubRepoFolder,
} from './cache.js';
import { fetchBlob, type RemoteFile } from './fetch-blob.js';
import { matchesAny } from './glob.js';
import { describeRepo, type HubRequestContext, hubError } from './hub-errors.js';
import { type DownloadProgress, silentProgress } from './progress.js';

/**
 * The files fetched when nothing says which: what mergebench reads. Models: safetensors weights
 * and the JSON and text files beside them (configs, tokenizers), not the same weights again as
 * .bin, .msgpack, .h5 or ONNX. Data sets: the card and the parquet files, not the raw archives a
 * loading script may also carry.
 */
export const DEFAULT_INCLUDE: Readonly<Record<HubRepoType, readonly string[]>> = {
  model: ['*.safetensors', '*.json', '*.txt'],
  dataset: ['README.md', '*.parquet'],
};

/** Files of one repository to fetch. */
export interface DownloadRequest extends HubDownload {
  /** Patterns a file must also match (`--include` narrowing a preset's own patterns). */
  readonly only?: readonly string[];
}

export interface DownloadOptions {
  /** Default process.env: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE. */
  readonly env?: NodeJS.ProcessEnv;
  /** The hub cache folder (`--cache-dir`); default from the environment, as huggingface_hub. */
  readonly cacheDir?: string;
  readonly progress?: DownloadProgress;
  /** Files fetched at once. Default 4. */
  readonly concurrency?: number;
  /** Tries per file before giving up (each resumes). Default 3. */
  readonly attempts?: number;
}

/** A repository in the cache after a download. */
export interface DownloadedRepo {
  readonly repo: HubRepo;
  /** `<cache>/<type>s--owner--name/snapshots/<commit>` */
  readonly snapshot: string;
  readonly commit: string;
  /** The matched files, relative to the snapshot. */
  readonly files: readonly string[];
  /** Files fetched now (the others were in the cache already). */
  readonly fetched: number;
  readonly bytesFetched: number;
}

/**
 * Fetches the files of each request into the Hugging Face cache with @huggingface/hub, in the
 * layout huggingface_hub writes (`blobs/<etag>`, `snapshots/<commit>/<path>` → symlink to the blob,
 * `refs/<revision>` → commit), so Python and mergebench share one cache. Files already there are
 * not fetched again; interrupted files resume. With HF_HUB_OFFLINE set nothing is requested and
 * every repository must be cached already.
 */
export async function downloadRepos(
  requests: readonly DownloadRequest[],
  options: DownloadOptions = {},
): Promise<DownloadedRepo[]> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? hubCacheDir(env);
  if (hubOffline(env)) return cachedRepos(requests, cacheDir);
  const progress = options.progress ?? silentProgress;
  const token = hubToken(env);
  const done: DownloadedRepo[] = [];
  try {
    for (const request of requests) {
      const ctx: HubRequestContext = {
        repo: request.repo,
        endpoint: hubEndpoint(env),
        tokenSource: token?.source,
      };
      done.push(await downloadRepo(request, ctx, token?.token, cacheDir, progress, options));
    }
  } finally {
    progress.stop();
  }
  return done;
}

/** HF_HUB_OFFLINE: the snapshots already cached, or one line naming every repository missing. */
function cachedRepos(requests: readonly DownloadRequest[], cacheDir: string): DownloadedRepo[] {
  const found: DownloadedRepo[] = [];
  const missing: string[] = [];
  for (const request of requests) {
    const snapshot = cachedSnapshot(request.repo, cacheDir);
    if (!snapshot) missing.push(`${describeRepo(request.repo)} (${downloadCommand(request.repo)})`);
    else {
      const files = snapshotFiles(snapshot).filter((path) => wanted(path, request));
      found.push({
        repo: request.repo,
        snapshot,
        commit: snapshot.split(sep).pop()!,
        files,
        fetched: 0,
        bytesFetched: 0,
      });
    }
  }
  if (missing.length > 0) {
    throw new MergebenchError(
      `HF_HUB_OFFLINE is set and the Hugging Face cache ${cacheDir} lacks ${missing.join(', ')}; unset HF_HUB_OFFLINE to download`,
    );
  }
  return found;
}

/** Paths of the files in a snapshot folder, with `/` separators. */
function snapshotFiles(snapshot: string): string[] {
  return readdirSync(snapshot, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) =>
      relative(snapshot, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

function wanted(path: string, request: DownloadRequest): boolean {
  const include = request.include ?? DEFAULT_INCLUDE[request.repo.type];
  return matchesAny(path, include) && (!request.only || matchesAny(path, request.only));
}

/** A path from the tree API that stays inside the snapshot folder. */
function checkPath(path: string, ctx: HubRequestContext): void {
  const parts = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || parts.includes('..') || parts.includes(''))
    throw new MergebenchError(
      `${describeRepo(ctx.repo)}: the Hub listed an unsafe file path ${JSON.stringify(path)}`,
    );
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** `snapshots/<commit>/<path>` → `../../blobs/<etag>` (relative, as huggingface_hub links); a copy where links fail. */
async function linkPointer(blob: string, pointer: string): Promise<void> {
  await rm(pointer, { force: true });
  try {
    await symlink(relative(dirname(pointer), blob), pointer);
  } catch {
    await copyFile(blob, pointer);
  }
}

async function downloadRepo(
  request: DownloadRequest,
  ctx: HubRequestContext,
  accessToken: string | undefined,
  cacheDir: string,
  progress: DownloadProgress,
  options: DownloadOptions,
): Promise<DownloadedRepo> {
  const { repo } = request;
  const revision = repo.revision ?? 'main';
  const credentials = accessToken ? { accessToken } : {};
  const common = { hubUrl: ctx.endpoint, ...credentials };
  let commit: string;
  let entries: ListFileEntry[] = [];
  try {
    const infoParams = { ...common, name: repo.id, revision, additionalFields: ['sha'] as ['sha'] };
    const info = repo.type === 'dataset' ? await datasetInfo(infoParams) : await modelInfo(infoParams);
    commit = info.sha;
    if (!/^[0-9a-f]{40}$/.test(commit ?? ''))
      throw new MergebenchError(
        `${describeRepo(repo)}: ${ctx.endpoint} gave no commit id for revision ${revision}`,
      );
    for await (const entry of listFiles({
      ...common,
      repo: { type: repo.type, name: repo.id },
      revision: commit,
      recursive: true,
    }))
      entries.push(entry);
  } catch (error) {
    throw hubError(error, ctx);
  }
  entries = entries.filter((entry) => entry.type === 'file');
  const files = entries.filter((entry) => wanted(entry.path, request));
  const folder = hubRepoFolder(repo, cacheDir);
  const snapshot = join(folder, 'snapshots', commit);
  const included = (path: string) => matchesAny(path, request.include ?? DEFAULT_INCLUDE[repo.type]);
  if (files.length === 0 && request.only && entries.some((e) => included(e.path))) {
    // `--include` narrowed a preset's files to none of this repo's: nothing to do, not an error.
    return { repo, snapshot, commit, files: [], fetched: 0, bytesFetched: 0 };
  }
  if (files.length === 0) {
    const patterns = [...(request.include ?? DEFAULT_INCLUDE[repo.type]), ...(request.only ?? [])];
    throw new MergebenchError(
      `${describeRepo(repo)}: no file matches ${patterns.join(', ')} at commit ${commit}; the repo has ${listNames(
        entries.map((e) => e.path),
        12,
      )}`,
    );
  }

  const pinned: HubRepo = { ...repo, revision: commit };
  let fetched = 0;
  let bytesFetched = 0;
  const one = async (entry: ListFileEntry) => {
    checkPath(entry.path, ctx);
    const remote: RemoteFile = {
      path: entry.path,
      size: entry.lfs?.size ?? entry.size,
      etag: entry.lfs?.oid ?? entry.oid ?? '',
      lfs: entry.lfs !== undefined,
    };
    if (!remote.etag)
      throw new MergebenchError(`${describeRepo(repo)}: the Hub listed ${entry.path} without an oid`);
    const label = `${repo.id}/${entry.path}`;
    const pointer = join(snapshot, ...entry.path.split('/'));
    if (await exists(pointer)) return progress.finish(label, 'cached', remote.size);
    const blob = join(folder, 'blobs', remote.etag);
    await mkdir(dirname(blob), { recursive: true });
    await mkdir(dirname(pointer), { recursive: true });
    let outcome: 'fetched' | 'cached' = 'cached';
    if (!(await exists(blob))) {
      let started = false;
      // Read the sum after the await: `x += await` would add to a stale value.
      const got = await fetchBlob(blob, remote, {
        repo: pinned,
        endpoint: ctx.endpoint,
        accessToken,
        tokenSource: ctx.tokenSource,
        attempts: options.attempts ?? 3,
        onBytes: (n) => {
          if (!started) progress.start(label, remote.size, n);
          else progress.update(label, n);
          started = true;
        },
      });
      bytesFetched += got;
      fetched++;
      outcome = 'fetched';
    }
    await linkPointer(blob, pointer);
    progress.finish(label, outcome, remote.size);
  };
  await inPool(files, options.concurrency ?? 4, one);

  // The ref is written last: a revision resolves to a snapshot only once all its files are in.
  if (revision !== commit) {
    const ref = join(folder, 'refs', ...revision.split('/'));
    await mkdir(dirname(ref), { recursive: true });
    await writeFile(`${ref}.tmp`, commit);
    await rename(`${ref}.tmp`, ref);
  }
  return { repo, snapshot, commit, files: files.map((f) => f.path), fetched, bytesFetched };
}

/** Runs `work` on every item, at most `limit` at once; the first failure wins once all settle. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}
