import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../fixtures.test.helpers.js';
import { imageFolderSource, openImageFolder, scanImageFolder } from './image-folder.js';

describe('scanImageFolder', () => {
  it('takes sorted class sub-folders as labels and their .png files as examples', () => {
    const folder = scanImageFolder(fixture('folders', 'pooled'));
    expect(folder.classNames).toEqual(['blue', 'green', 'red']);
    expect(folder.files.map((f) => f.split('/').slice(-2).join('/'))).toEqual([
      'blue/0.png',
      'blue/1.png',
      'blue/2.png',
      'blue/3.png',
      'green/0.png',
      'green/1.png',
      'green/2.png',
      'green/3.png',
      'red/0.png',
      'red/1.png',
      'red/2.png',
      'red/3.png',
    ]);
    expect([...folder.labels]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('rejects an empty class folder, naming it', () => {
    const dir = tempDir();
    cpSync(fixture('folders', 'pooled'), dir, { recursive: true });
    mkdirSync(join(dir, 'purple'));
    writeFileSync(join(dir, 'purple', 'readme.txt'), 'no images');
    expect(() => scanImageFolder(dir)).toThrow(/purple: no \.png images in this class folder$/);
  });

  it('rejects a folder without class folders, and a missing folder', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.png'), '');
    expect(() => scanImageFolder(dir)).toThrow(
      /: no class sub-folders; expected one sub-folder of \.png images per class$/,
    );
    expect(() => scanImageFolder(join(dir, 'missing'))).toThrow(
      /missing: no such folder; expected an image folder/,
    );
  });
});

describe('imageFolderSource', () => {
  it("reads every kind of PNG as torchvision's ImageFolder + Resize + CenterCrop do (reference: PIL)", async () => {
    const reference = await openSafetensors(fixture('preprocess.safetensors'));
    for (const split of ['split/train', 'split/test', 'pooled']) {
      const folder = scanImageFolder(fixture('folders', split));
      const source = imageFolderSource(folder);
      for (const [index, file] of folder.files.entries()) {
        const out = new Float32Array(3 * 16 * 16);
        source.draw(index, 16, out, 0);
        const rel = file.slice(fixture('folders').length).replace(/^\//, '');
        const expected = (await reference.read(`folder.${rel}`)).dataSync();
        const normalised = out.map((v) => (v - 0.5) / 0.5);
        const worst = Math.max(...normalised.map((v, i) => Math.abs(v - expected[i])));
        expect(worst, rel).toBeLessThan(1e-5);
      }
    }
    await reference.close();
  });

  it('rejects a corrupt PNG when it is drawn, naming the file', () => {
    const dir = tempDir();
    cpSync(fixture('folders', 'pooled'), dir, { recursive: true });
    const bytes = readFileSync(join(dir, 'red', '1.png'));
    writeFileSync(join(dir, 'red', '1.png'), bytes.subarray(0, 60));
    const folder = scanImageFolder(dir);
    const source = imageFolderSource(folder);
    expect(() => source.draw(9, 8, new Float32Array(3 * 64), 0)).toThrow(
      /red\/1\.png: not a valid PNG \(.+\)$/,
    );
  });
});

describe('openImageFolder', () => {
  it('uses train/ and test/ as official splits when both exist', () => {
    const { classNames, sources } = openImageFolder(fixture('folders', 'split'));
    expect(classNames).toEqual(['green', 'red']);
    expect(sources.kind).toBe('official');
    if (sources.kind !== 'official') return;
    expect([...sources.train.labels]).toEqual([0, 0, 0, 1, 1, 1]);
    expect([...sources.test.labels]).toEqual([0, 0, 1, 1]);
  });

  it('pools the class folders otherwise', () => {
    expect(openImageFolder(fixture('folders', 'pooled')).sources.kind).toBe('pooled');
  });

  it('rejects train/ and test/ with different classes', () => {
    const dir = tempDir();
    cpSync(fixture('folders', 'split'), dir, { recursive: true });
    rmSync(join(dir, 'test', 'green'), { recursive: true });
    expect(() => openImageFolder(dir)).toThrow(
      /test: class folders \(red\) differ from those of .+train \(green, red\)$/,
    );
  });
});
