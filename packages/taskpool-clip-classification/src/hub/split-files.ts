import { MergebenchError } from '@mergebench/core';
import type { DatasetCard } from './dataset-card.js';
import { globToRegExp } from './repo-files.js';

/** Where `datasets` and the Hub put a split's shards when the card does not say. */
export function conventionalPatterns(split: string, config: string | undefined): string[] {
  const folders = config && config !== 'default' ? [config, 'data'] : ['data', ''];
  return folders.flatMap((folder) => {
    const at = folder ? `${folder}/` : '';
    return [`${at}${split}-*`, `${at}${split}/**`, `${at}${split}.*`];
  });
}

/** The patterns of a split: the card's `data_files`, else the Hub's conventional layouts. */
export function splitPatterns(
  card: DatasetCard,
  split: string,
  config: string | undefined,
): readonly string[] {
  return card.dataFiles?.get(split) ?? conventionalPatterns(split, config);
}

/**
 * The shard files of one split among `files` (relative paths), with extension `ext`: the first
 * pattern that matches anything wins, so a config folder shadows `data/`.
 */
export function matchSplitFiles(
  files: readonly string[],
  patterns: readonly string[],
  ext: string,
): string[] {
  for (const pattern of patterns) {
    const re = globToRegExp(pattern);
    const hits = files.filter((f) => f.endsWith(ext) && re.test(f));
    if (hits.length > 0) return hits;
  }
  return [];
}

/** The split names a repository shows: the card's, and those that its shard file names spell. */
export function availableSplits(
  files: readonly string[],
  card: DatasetCard,
  config: string | undefined,
  ext: string,
): string[] {
  const found = new Set<string>([...(card.dataFiles?.keys() ?? []), ...card.splits]);
  const folders = new Set(['data', '', ...(config ? [config] : [])]);
  for (const file of files) {
    if (!file.endsWith(ext)) continue;
    const parts = file.split('/');
    const name = parts.at(-1)!.slice(0, -ext.length);
    const dir = parts.slice(0, -1).join('/');
    const shard = /^(.+?)-\d{5}-of-\d{5}$/.exec(name);
    if (folders.has(dir)) found.add(shard ? shard[1] : name);
    else if (!shard && parts.length >= 2 && folders.has(parts.slice(0, -2).join('/')))
      found.add(parts.at(-2)!);
  }
  return [...found].sort();
}

/** The error for a split a repository does not have. */
export function missingSplitError(
  what: string,
  repo: string,
  split: string,
  splits: readonly string[],
  patterns: readonly string[],
): MergebenchError {
  return new MergebenchError(
    `${what}: ${repo} has no '${split}' split (looked for ${patterns.join(', ')}); splits there: ${splits.length ? splits.join(', ') : 'none'}`,
  );
}
