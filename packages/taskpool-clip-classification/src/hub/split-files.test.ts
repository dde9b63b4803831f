import { describe, expect, it } from 'vitest';
import { SVHN } from '../fixtures.test.helpers.js';
import { readDatasetCard } from './dataset-card.js';
import { globToRegExp, listRepoFiles } from './repo-files.js';
import { availableSplits, conventionalPatterns, matchSplitFiles, splitPatterns } from './split-files.js';

describe('split files', () => {
  it('matches Hub data_files globs', () => {
    expect(globToRegExp('data/test-*').test('data/test-00000-of-00002.parquet')).toBe(true);
    expect(globToRegExp('data/test-*').test('data/sub/test-0.parquet')).toBe(false);
    expect(globToRegExp('**/*.parquet').test('a/b/c.parquet')).toBe(true);
    expect(globToRegExp('**/*.parquet').test('c.parquet')).toBe(true);
    expect(globToRegExp('data/te?t-*').test('data/test-1')).toBe(true);
  });

  it("finds a config folder's shards through the card and lists the splits there", async () => {
    const files = await listRepoFiles(SVHN);
    const card = await readDatasetCard(SVHN, 'cropped_digits');
    expect(matchSplitFiles(files, splitPatterns(card, 'test', 'cropped_digits'), '.parquet')).toEqual([
      'cropped_digits/test-00000-of-00001.parquet',
    ]);
    expect(availableSplits(files, card, 'cropped_digits', '.parquet')).toEqual(['extra', 'test', 'train']);
  });

  it('falls back to the layouts the Hub uses when the card has no data_files', () => {
    const files = [
      'README.md',
      'data/test-00000-of-00001.parquet',
      'mnist/test-00000-of-00001.parquet',
      'valid/0.tar',
    ];
    const empty = { file: 'README.md', features: [], splits: [] };
    expect(matchSplitFiles(files, conventionalPatterns('test', 'mnist'), '.parquet')).toEqual([
      'mnist/test-00000-of-00001.parquet',
    ]);
    expect(matchSplitFiles(files, conventionalPatterns('test', undefined), '.parquet')).toEqual([
      'data/test-00000-of-00001.parquet',
    ]);
    expect(matchSplitFiles(files, conventionalPatterns('valid', undefined), '.tar')).toEqual(['valid/0.tar']);
    expect(availableSplits(files, empty, undefined, '.tar')).toEqual(['valid']);
  });
});
