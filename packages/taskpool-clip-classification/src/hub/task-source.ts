import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hubCacheDir, MergebenchError, resolveLocation } from '@mergebench/core';
import type { DatasetSpec } from '../catalog/dataset-table.js';
import { ParquetSplit } from '../data/parquet-split.js';
import type { SplitSource } from '../data/split-source.js';
import { WebDatasetSplit } from '../data/webdataset-split.js';
import { type DatasetCard, readDatasetCard } from './dataset-card.js';
import { listRepoFiles } from './repo-files.js';
import { availableSplits, matchSplitFiles, missingSplitError, splitPatterns } from './split-files.js';

/** A task's data set on disk: its folder, its card and its files. */
export interface DatasetFolder {
  readonly spec: DatasetSpec;
  /** The repository's folder: a plain download or a Hub cache snapshot. */
  readonly root: string;
  readonly card: DatasetCard;
  readonly files: readonly string[];
  /** Class names of the label column from the card (or `classnames.txt`), when it has them. */
  readonly classNames?: readonly string[];
}

/**
 * Finds a task's data set: `location` (a folder, or a Hub id `owner/name[@revision]` looked up in
 * the Hub cache) or else the table's repository in the cache. Reads the card and lists the files.
 */
export async function openDatasetFolder(
  spec: DatasetSpec,
  location: string | undefined,
  baseDir: string,
  cacheDir = hubCacheDir(),
): Promise<DatasetFolder> {
  const what = `taskpool.data.${spec.task}`;
  const root = resolveLocation(location ?? spec.repo, 'dataset', baseDir, what, cacheDir);
  const isDir = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new MergebenchError(`${what}: no data set folder at ${root}`);
  const card = await readDatasetCard(root, spec.config);
  const files = await listRepoFiles(root);
  return { spec, root, card, files, classNames: await cardClassNames(spec, root, card) };
}

async function cardClassNames(spec: DatasetSpec, root: string, card: DatasetCard) {
  const label = card.features.find((f) => f.name === spec.labelColumn);
  if (label?.classNames) return label.classNames;
  if (label?.dtype === 'bool') return ['false', 'true'];
  if (spec.format === 'webdataset') {
    // clip-benchmark's WebDataset repositories keep the class names in classnames.txt.
    const text = await readFile(join(root, 'classnames.txt'), 'utf8').catch(() => undefined);
    return text?.split(/\r?\n/).filter((line) => line.trim() !== '');
  }
  return undefined;
}

/** Opens one split's shards (footers or tar headers only), or says which splits the repository has. */
export async function openSplit(folder: DatasetFolder, split: string): Promise<SplitSource> {
  const { spec, root, card, files } = folder;
  const ext = spec.format === 'parquet' ? '.parquet' : '.tar';
  const patterns = splitPatterns(card, split, spec.config);
  const shards = matchSplitFiles(files, patterns, ext);
  if (shards.length === 0) {
    throw missingSplitError(
      `taskpool.data.${spec.task}`,
      `${spec.repo} (${root})`,
      split,
      availableSplits(files, card, spec.config, ext),
      patterns,
    );
  }
  const located = shards.map((name) => ({ path: join(root, name), name }));
  return spec.format === 'parquet'
    ? ParquetSplit.open(located, spec.imageColumn, spec.labelColumn)
    : WebDatasetSplit.open(located, spec.imageColumn, spec.labelColumn);
}
