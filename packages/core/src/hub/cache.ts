import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { MergebenchError } from '../errors.js';

/** What a Hub repository holds: model weights or a data set. */
export type HubRepoType = 'model' | 'dataset';

/** A repository on the Hugging Face Hub, at a branch, tag or commit. */
export interface HubRepo {
  /** `owner/name`, e.g. `openai/clip-vit-base-patch32`. */
  readonly id: string;
  readonly type: HubRepoType;
  /** Branch, tag or commit; default `main`. */
  readonly revision?: string;
}

/** Where environment variables say the Hub cache is, as huggingface_hub reads them. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return resolve(env.HF_HUB_CACHE);
  if (env.HF_HOME) return resolve(env.HF_HOME, 'hub');
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return resolve(xdg, 'huggingface', 'hub');
}

/** Whether the Hub must not be asked (`HF_HUB_OFFLINE=1`, as huggingface_hub understands it). */
export function hubOffline(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.HF_HUB_OFFLINE ?? '').toLowerCase();
  return value === '1' || value === 'true' || value === 'yes' || value === 'on';
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `value` reads as a Hub id (`owner/name`) rather than a path on disk. */
export function looksLikeHubId(value: string): boolean {
  return REPO_ID.test(value) && !value.startsWith('.') && !isAbsolute(value);
}

/** The cache folder of one repository: `<cache>/models--owner--name` or `datasets--owner--name`. */
export function hubRepoFolder(repo: HubRepo, cacheDir = hubCacheDir()): string {
  return join(cacheDir, `${repo.type}s--${repo.id.replaceAll('/', '--')}`);
}

/** The command that fetches a repository into the cache, for error messages. */
export function downloadCommand(repo: HubRepo): string {
  const type = repo.type === 'dataset' ? ' --repo-type dataset' : '';
  const revision = repo.revision && repo.revision !== 'main' ? ` --revision ${repo.revision}` : '';
  return `mergebench download ${repo.id}${type}${revision}`;
}

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The snapshot folder of a cached repository (`<repo folder>/snapshots/<commit>`), found through
 * `refs/<revision>` unless the revision is a commit. Returns undefined when the repository or the
 * revision is not in the cache. Reads only the disk: offline first.
 */
export function cachedSnapshot(repo: HubRepo, cacheDir = hubCacheDir()): string | undefined {
  const folder = hubRepoFolder(repo, cacheDir);
  const revision = repo.revision ?? 'main';
  let commit = revision;
  if (!COMMIT.test(revision)) {
    try {
      commit = readFileSync(join(folder, 'refs', revision), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  const snapshot = join(folder, 'snapshots', commit);
  return statSync(snapshot, { throwIfNoEntry: false })?.isDirectory() ? snapshot : undefined;
}

/**
 * The snapshot folder of a cached repository, or a MergebenchError naming the repository, where
 * it was looked for and the command that downloads it.
 */
export function requireSnapshot(repo: HubRepo, what: string, cacheDir = hubCacheDir()): string {
  const snapshot = cachedSnapshot(repo, cacheDir);
  if (snapshot) return snapshot;
  throw new MergebenchError(
    `${what}: ${repo.type} '${repo.id}'${repo.revision ? ` at ${repo.revision}` : ''} is not in the Hugging Face cache (${hubRepoFolder(repo, cacheDir)}); fetch it with \`${downloadCommand(repo)}\``,
  );
}

/**
 * Resolves a location a user wrote in a config: an existing path (relative to `baseDir`) wins;
 * otherwise an `owner/name` Hub id (optionally `owner/name@revision`) is looked up in the cache.
 * Anything else is returned resolved, for the caller's own "not found" error.
 */
export function resolveLocation(
  value: string,
  type: HubRepoType,
  baseDir: string,
  what: string,
  cacheDir = hubCacheDir(),
): string {
  const local = resolve(baseDir, value);
  if (statSync(local, { throwIfNoEntry: false })) return local;
  const [id, revision] = value.split('@', 2);
  if (!looksLikeHubId(id)) return local;
  return requireSnapshot({ id, type, revision }, what, cacheDir);
}
