import { type HubDownload, looksLikeHubId } from '@mergebench/core';

/** The files a CLIP model folder needs: configs, tokenizer and processor files, and the weights. */
export const CLIP_MODEL_FILES: readonly string[] = [
  '*.json',
  '*.txt',
  'model.safetensors',
  'model.safetensors.index.json',
  'model-*.safetensors',
];

/**
 * The Hub repositories among a pool's model locations (`owner/name` or `owner/name@revision`),
 * once each, for `mergebench download`. Paths (`./checkpoints/…`, absolute ones) are left out.
 */
export function clipModelDownloads(models: Readonly<Record<string, unknown>>): HubDownload[] {
  const seen = new Set<string>();
  const downloads: HubDownload[] = [];
  for (const location of Object.values(models)) {
    if (typeof location !== 'string' || seen.has(location)) continue;
    seen.add(location);
    const [id, revision] = location.split('@', 2);
    if (!looksLikeHubId(id)) continue;
    downloads.push({
      repo: { id, type: 'model', ...(revision ? { revision } : {}) },
      include: CLIP_MODEL_FILES,
    });
  }
  return downloads;
}
