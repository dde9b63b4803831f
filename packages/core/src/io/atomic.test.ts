import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { replaceDirAtomic, withAtomicFile, writeFileAtomic } from './atomic.js';
import { listDir, tmpDirs } from './fixtures.test.helpers.js';

const tmp = tmpDirs();

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving nothing else behind', async () => {
    const dir = await tmp.make();
    const path = join(dir, 'report.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, new Uint8Array([0x7b, 0x7d]));
    expect(await readFile(path, 'utf8')).toBe('{}');
    expect(await listDir(dir)).toEqual(['report.json']);
  });

  it('removes its temp file and keeps the old contents when writing fails', async () => {
    const dir = await tmp.make();
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old');
    await expect(
      withAtomicFile(path, async (handle) => {
        await handle.write('partial new contents');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await listDir(dir)).toEqual(['model.safetensors']);
  });

  it('fails without leftovers when the folder does not exist', async () => {
    const dir = await tmp.make();
    await expect(writeFileAtomic(join(dir, 'missing', 'x.json'), 'x')).rejects.toThrow(
      `cannot write ${join(dir, 'missing', 'x.json')}: folder ${join(dir, 'missing')} does not exist`,
    );
    expect(await listDir(dir)).toEqual([]);
  });
});

describe('replaceDirAtomic', () => {
  const fillWith = (files: Record<string, string>) => async (tmpDir: string) => {
    for (const [name, text] of Object.entries(files)) await writeFile(join(tmpDir, name), text);
  };

  it('creates the folder (and its parent) from what fill wrote', async () => {
    const root = await tmp.make();
    const target = join(root, 'runs', 'merged');
    await replaceDirAtomic(target, fillWith({ 'a.txt': 'A' }));
    expect(await listDir(target)).toEqual(['a.txt']);
    expect(await listDir(join(root, 'runs'))).toEqual(['merged']);
  });

  it('refuses an existing target without overwrite, naming it, before calling fill', async () => {
    const root = await tmp.make();
    const target = join(root, 'model');
    await mkdir(target);
    let called = false;
    const err = await replaceDirAtomic(target, async () => {
      called = true;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergebenchError);
    expect((err as Error).message).toBe(`${target} already exists; pass overwrite to replace it`);
    expect(called).toBe(false);
    await writeFile(join(root, 'file'), '');
    await expect(replaceDirAtomic(join(root, 'file'), fillWith({}), { overwrite: true })).rejects.toThrow(
      /file exists and is not a folder/,
    );
  });

  it('replaces an existing folder with overwrite, leaving no temp or old copy', async () => {
    const root = await tmp.make();
    const target = join(root, 'model');
    await replaceDirAtomic(target, fillWith({ 'old.txt': 'old' }));
    await replaceDirAtomic(target, fillWith({ 'new.txt': 'new' }), { overwrite: true });
    expect(await listDir(target)).toEqual(['new.txt']);
    expect(await listDir(root)).toEqual(['model']);
  });

  it('removes the temp folder and leaves the target untouched when fill fails', async () => {
    const root = await tmp.make();
    const target = join(root, 'model');
    await replaceDirAtomic(target, fillWith({ 'old.txt': 'old' }));
    await expect(
      replaceDirAtomic(
        target,
        async (tmpDir) => {
          await writeFile(join(tmpDir, 'half.txt'), 'half');
          throw new Error('fill failed');
        },
        { overwrite: true },
      ),
    ).rejects.toThrow('fill failed');
    expect(await listDir(root)).toEqual(['model']);
    expect(await listDir(target)).toEqual(['old.txt']);
    expect(await readFile(join(target, 'old.txt'), 'utf8')).toBe('old');
  });

  it('refuses a target that appeared while fill ran, unless overwriting', async () => {
    const root = await tmp.make();
    const target = join(root, 'model');
    await expect(
      replaceDirAtomic(target, async () => {
        await mkdir(target); // an empty folder: rename() alone would silently replace it
      }),
    ).rejects.toThrow(/already exists/);
    expect(await listDir(root)).toEqual(['model']);
  });
});
