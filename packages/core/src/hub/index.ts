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
