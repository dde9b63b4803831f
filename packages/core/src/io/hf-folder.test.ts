import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { disposeStateDict } from '../tensors/state-dict.js';
import { INDEX_FILE, SINGLE_FILE } from './checkpoint.js';
import { listDir, tmpDirs, tokens } from './fixtures.test.helpers.js';
import { openHfFolder, readHfConfig, saveHfFolder } from './hf-folder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tmp = tmpDirs();
const config = { model_type: 'clip_vision_model', hidden_size: 4, architectures: ['CLIPVisionModel'] };

function weights(): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['vision_model.embeddings.position_ids', tf.tensor([[0, 1, 2]], [1, 3], 'int32')],
    ['vision_model.post_layernorm.weight', tf.tensor([1, 2, 3, 4])],
    ['vision_model.post_layernorm.bias', tf.tensor([0.5, -0.5, 0, 1e-3])],
  ]);
}

describe('saveHfFolder / readHfConfig', () => {
  it('round-trips config and weights', async () => {
    const dir = join(await tmp.make(), 'merged');
    const tensors = weights();
    const result = await saveHfFolder(dir, { config, tensors, metadata: { mergebench: 'ties' } });
    expect(result.files).toEqual(['config.json', SINGLE_FILE]);
    expect(await listDir(dir)).toEqual(['config.json', SINGLE_FILE]);
    expect(await readHfConfig(dir)).toEqual(config);
    const { config: read, weights: source } = await openHfFolder(dir);
    expect(read).toEqual(config);
    expect(source.metadata).toEqual({ format: 'pt', mergebench: 'ties' });
    expect(source.keys()).toEqual([...tensors.keys()]);
    expect(source.info('vision_model.embeddings.position_ids').storedDtype).toBe('I64');
    for (const [key, t] of tensors) {
      const back = await source.read(key);
      expect(tokens(await back.data()), key).toEqual(tokens(await t.data()));
      back.dispose();
    }
    await source.close();
    disposeStateDict(tensors);
  });

  it('writes shards inside the folder, and replaces it only with overwrite', async () => {
    const root = await tmp.make();
    const dir = join(root, 'merged');
    const tensors = weights();
    await saveHfFolder(dir, { config, tensors });
    const err = await saveHfFolder(dir, { config, tensors }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergebenchError);
    expect((err as Error).message).toContain(dir);
    await saveHfFolder(dir, {
      config: { ...config, hidden_size: 8 },
      tensors,
      maxShardBytes: 40,
      overwrite: true,
    });
    expect(await listDir(dir)).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      INDEX_FILE,
    ]);
    expect((await readHfConfig(dir)).hidden_size).toBe(8);
    expect(await listDir(root)).toEqual(['merged']);
    disposeStateDict(tensors);
  });

  it('leaves an existing folder untouched and no temp folder when saving fails', async () => {
    const root = await tmp.make();
    const dir = join(root, 'merged');
    const tensors = weights();
    await saveHfFolder(dir, { config, tensors });
    const before = await readFile(join(dir, SINGLE_FILE));
    const bad = new Map([['s', tf.tensor(['text'])]]);
    await expect(saveHfFolder(dir, { config, tensors: bad, overwrite: true })).rejects.toThrow(
      /has dtype string/,
    );
    expect(await listDir(root)).toEqual(['merged']);
    expect((await readFile(join(dir, SINGLE_FILE))).equals(before)).toBe(true);
    disposeStateDict(tensors);
    disposeStateDict(bad);
  });

  it('names the path for a missing folder, a missing config.json and bad JSON', async () => {
    const root = await tmp.make();
    await expect(readHfConfig(join(root, 'absent'))).rejects.toThrow(
      `${join(root, 'absent')}: no such model folder`,
    );
    const dir = join(root, 'model');
    await mkdir(dir);
    const path = join(dir, 'config.json');
    await expect(readHfConfig(dir)).rejects.toThrow(`${path}: missing`);
    await writeFile(path, '{"model_type": ');
    await expect(readHfConfig(dir)).rejects.toThrow(`${path}: invalid JSON`);
    await writeFile(path, '[1]');
    await expect(readHfConfig(dir)).rejects.toThrow(`${path}: expected a JSON object`);
    await expect(readHfConfig(path)).rejects.toThrow(`${path}: is a file, not a model folder`);
  });
});
