import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EUROSAT, PCAM, SVHN } from '../fixtures.test.helpers.js';
import { frontMatter, parseDatasetCard, readDatasetCard } from './dataset-card.js';

describe('dataset cards', () => {
  it('reads class names and data_files of a one-config card', async () => {
    const card = await readDatasetCard(EUROSAT);
    expect(card.features.map((f) => [f.name, f.dtype])).toEqual([
      ['image', 'image'],
      ['label', 'class_label'],
    ]);
    expect(card.features[1].classNames).toHaveLength(10);
    expect(card.features[1].classNames?.[9]).toBe('SeaLake');
    expect(card.splits).toEqual(['train', 'test']);
    expect(card.dataFiles?.get('test')).toEqual(['data/test-*']);
  });

  it('picks the config of a list-valued dataset_info', async () => {
    const cropped = await readDatasetCard(SVHN, 'cropped_digits');
    expect(cropped.features.find((f) => f.name === 'label')?.classNames).toEqual([...'0123456789']);
    expect(cropped.dataFiles?.get('extra')).toEqual(['cropped_digits/extra-*']);
    const full = await readDatasetCard(SVHN, 'full_numbers');
    expect(full.features.map((f) => f.name)).toEqual(['image', 'digits']);
    expect(full.dataFiles?.get('test')).toEqual(['full_numbers/test-*']);
  });

  it('reads a boolean label and the lists and integer keys older cards use', async () => {
    const pcam = await readDatasetCard(PCAM);
    expect(pcam.features.find((f) => f.name === 'label')?.dtype).toBe('bool');
    const listed = parseDatasetCard(
      '---\ndataset_info:\n  features:\n  - name: fine_label\n    dtype:\n      class_label:\n        names: [apple, pear]\n---\n',
      'README.md',
    );
    expect(listed.features[0].classNames).toEqual(['apple', 'pear']);
    const ints = parseDatasetCard(
      '---\ndataset_info:\n  features:\n  - name: label\n    dtype:\n      class_label:\n        names:\n          1: b\n          0: a\n---\n',
      'README.md',
    );
    expect(ints.features[0].classNames).toEqual(['a', 'b']);
  });

  it('gives an empty card without front matter or README, and refuses gaps in class ids', async () => {
    expect(frontMatter('# no front matter')).toBeUndefined();
    expect(parseDatasetCard('# title', 'README.md').features).toEqual([]);
    expect((await readDatasetCard(join(EUROSAT, 'data'))).features).toEqual([]);
    expect(() =>
      parseDatasetCard(
        '---\ndataset_info:\n  features:\n  - name: label\n    dtype:\n      class_label:\n        names:\n          0: a\n          2: c\n---\n',
        'x/README.md',
      ),
    ).toThrow(/x\/README.md .*class_label.names ids must be 0..n-1, found 2 at position 1/);
    expect(() => parseDatasetCard('---\na: [\n---\n', 'y/README.md')).toThrow(/y\/README.md: invalid YAML/);
  });
});
