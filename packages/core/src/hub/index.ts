export { type HubToken, hubEndpoint, hubToken } from './access.js';
export {
  cachedSnapshot,
  downloadCommand,
  type HubRepo,
  type HubRepoType,
  hubCacheDir,
  hubOffline,
  hubRepoFolder,
  looksLikeHubId,
  requireSnapshot,
  resolveLocation,
} from './cache.js';
export {
  DEFAULT_INCLUDE,
  type DownloadedRepo,
  type DownloadOptions,
  type DownloadRequest,
  downloadRepos,
} from './download.js';
export { globToRegExp, matchesAny } from './glob.js';
export { barProgress, type DownloadProgress, lineProgress, progressFor, silentProgress } from './progress.js';
export { type DownloadTargetOptions, resolveDownloadTargets } from './targets.js';
