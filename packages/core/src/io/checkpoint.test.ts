import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { disposeStateDict } from '../tensors/state-dict.js';
import {
  INDEX_FILE,
  openCheckpoint,
  readStateDict,
  ShardedCheckpoint,
  SINGLE_FILE,
  writeCheckpoint,
} from './checkpoint.js';
import {
  DTYPES_FILE,
  type Expected,
  listDir,
  loadExpected,
  SHARDED_DIR,
  tmpDirs,
  tokens,
} from './fixtures.test.helpers.js';
import { SafetensorsFile } from './safetensors-reader.js';

let expected: Expected;
beforeAll(async () => {
  await tf.setBackend('cpu');
  expected = await loadExpected();
});

const tmp = tmpDirs();
const SHARDS = [
  'model-00001-of-00003.safetensors',
  'model-00002-of-00003.safetensors',
  'model-00003-of-00003.safetensors',
];

async function rejection(promise: Promise<unknown>): Promise<MergebenchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MergebenchError);
  return err as MergebenchError;
}

/** A copy of the torch-written sharded checkpoint that a test may break. */
async function shardedCopy(): Promise<string> {
  const dir = join(await tmp.make(), 'sharded');
  await cp(SHARDED_DIR, dir, { recursive: true });
  return dir;
}

describe('openCheckpoint', () => {
  it('reads the torch sharded checkpoint as one source, in saved order', async () => {
    const source = await openCheckpoint(SHARDED_DIR);
    try {
      expect(source).toBeInstanceOf(ShardedCheckpoint);
      expect(source.origin).toBe(join(SHARDED_DIR, INDEX_FILE));
      // the index itself is sorted alphabetically (layers.10 before layers.1 would not be saved order)
      expect(source.keys()).toEqual(expected.sharded.order);
      expect(source.metadata).toEqual({ format: 'pt' });
      expect((source as ShardedCheckpoint).indexMetadata).toEqual({
        total_size: expected.sharded.total_size,
      });
      const state = await readStateDict(source);
      expect([...state.keys()]).toEqual(expected.sharded.order);
      for (const [key, want] of Object.entries(expected.sharded.tensors)) {
        const t = state.get(key)!;
        expect(t.shape, key).toEqual(want.shape);
        expect(tokens(await t.data()), key).toEqual(tokens(want.values));
        expect(source.info(key).storedDtype).toBe(want.dtype);
      }
      disposeStateDict(state);
      const partial = await readStateDict(source, ['mask', 'embed.weight']);
      expect([...partial.keys()]).toEqual(['mask', 'embed.weight']);
      disposeStateDict(partial);
      expect(() => source.info('nope')).toThrow(/model\.safetensors\.index\.json: no tensor 'nope'/);
    } finally {
      await source.close();
    }
  });

  it('accepts a .safetensors file, an index file, or a folder with model.safetensors', async () => {
    const file = await openCheckpoint(DTYPES_FILE);
    expect(file).toBeInstanceOf(SafetensorsFile);
    await file.close();
    const index = await openCheckpoint(join(SHARDED_DIR, INDEX_FILE));
    expect(index.keys()).toEqual(expected.sharded.order);
    await index.close();
    const dir = await tmp.make();
    await cp(DTYPES_FILE, join(dir, SINGLE_FILE));
    const single = await openCheckpoint(dir);
    expect(single.keys()).toEqual(expected.dtypes.order);
    await single.close();
  });

  it('names the index file for a missing shard or a key absent from its shard', async () => {
    const missing = await shardedCopy();
    await rm(join(missing, SHARDS[1]));
    const err = await rejection(openCheckpoint(missing));
    expect(err.message).toContain(join(missing, INDEX_FILE));
    expect(err.message).toMatch(/to missing shard model-00002-of-00003\.safetensors/);
    expect(err.message).toMatch(/layers\.0\.bias/);

    const absent = await shardedCopy();
    const indexPath = join(absent, INDEX_FILE);
    const index = JSON.parse(await readFile(indexPath, 'utf8'));
    index.weight_map['head.weight'] = SHARDS[0];
    await writeFile(indexPath, JSON.stringify(index));
    const err2 = await rejection(openCheckpoint(absent));
    expect(err2.message).toContain(indexPath);
    expect(err2.message).toMatch(/puts tensor\(s\) head\.weight in shard model-00001-of-00003\.safetensors/);

    index.weight_map['head.weight'] = '../outside.safetensors';
    await writeFile(indexPath, JSON.stringify(index));
    expect((await rejection(openCheckpoint(absent))).message).toMatch(
      /weight_map entry 'head\.weight' names/,
    );
    await writeFile(indexPath, '{"weight_map": ');
    expect((await rejection(openCheckpoint(absent))).message).toMatch(
      /model\.safetensors\.index\.json: invalid JSON/,
    );
  });

  it('explains a folder without weights and a missing path', async () => {
    const dir = await tmp.make();
    await writeFile(join(dir, 'pytorch_model.bin'), '');
    await writeFile(join(dir, 'config.json'), '{}');
    expect((await rejection(openCheckpoint(dir))).message).toMatch(
      /no model\.safetensors or model\.safetensors\.index\.json in this folder \(it holds: config\.json, pytorch_model\.bin\); PyTorch pickle/,
    );
    expect((await rejection(openCheckpoint(join(dir, 'nothing')))).message).toMatch(
      /nothing: no such checkpoint/,
    );
  });
});

describe('writeCheckpoint', () => {
  const make = () =>
    new Map<string, tf.Tensor>([
      ['a', tf.ones([10, 10])], // 400 bytes
      ['b', tf.fill([50], 2)], // 200
      ['c', tf.tensor([1, 2, 3], [3], 'int32')], // 24 as I64
      ['d', tf.fill([120], 3)], // 480
      ['e', tf.tensor([true, false], [2], 'bool')], // 2
    ]);

  it('writes model.safetensors when everything fits in one shard', async () => {
    const dir = join(await tmp.make(), 'out');
    const tensors = make();
    const result = await writeCheckpoint(dir, tensors, { metadata: { note: 'x' } });
    expect(result).toEqual({ files: [SINGLE_FILE], totalBytes: 1106 });
    expect(await listDir(dir)).toEqual([SINGLE_FILE]);
    const source = await openCheckpoint(dir);
    expect(source.metadata).toEqual({ format: 'pt', note: 'x' });
    expect(source.keys()).toEqual(['a', 'b', 'c', 'd', 'e']);
    await source.close();
    disposeStateDict(tensors);
  });

  it('splits into shards with an index when over maxShardBytes, and reads them back', async () => {
    const dir = await tmp.make();
    const tensors = make();
    const result = await writeCheckpoint(dir, tensors, { maxShardBytes: 400, dtype: 'F16' });
    // F16 halves the floats: a 200, b 100, c 24, d 240, e 2 → [a, b, c] 324, [d, e] 242
    expect(result.files).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      INDEX_FILE,
    ]);
    expect(result.totalBytes).toBe(566);
    const index = JSON.parse(await readFile(join(dir, INDEX_FILE), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 566 },
      weight_map: {
        a: 'model-00001-of-00002.safetensors',
        b: 'model-00001-of-00002.safetensors',
        c: 'model-00001-of-00002.safetensors',
        d: 'model-00002-of-00002.safetensors',
        e: 'model-00002-of-00002.safetensors',
      },
    });
    const source = await openCheckpoint(dir);
    expect(source.keys()).toEqual([...tensors.keys()]);
    expect(source.info('a').storedDtype).toBe('F16');
    expect(source.info('c').storedDtype).toBe('I64');
    for (const [key, t] of tensors) {
      const back = await source.read(key);
      expect(tokens(await back.data()), key).toEqual(tokens(await t.data()));
      back.dispose();
    }
    await source.close();
    disposeStateDict(tensors);
  });

  it('gives a tensor larger than the limit a shard of its own', async () => {
    const dir = await tmp.make();
    const tensors = make();
    const { files } = await writeCheckpoint(dir, tensors, { maxShardBytes: 300 });
    // a 400 alone, b+c 224, d 480 alone, e 2
    expect(files).toEqual([1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`).concat(INDEX_FILE));
    disposeStateDict(tensors);
  });

  it('removes the checkpoint files of an earlier write that the new one does not use', async () => {
    const dir = await tmp.make();
    const tensors = make();
    await writeFile(join(dir, 'config.json'), '{}');
    await writeCheckpoint(dir, tensors);
    await writeCheckpoint(dir, tensors, { maxShardBytes: 300 });
    expect(await listDir(dir)).toEqual([
      'config.json',
      ...[1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`),
      INDEX_FILE,
    ]);
    await writeCheckpoint(dir, tensors, { maxShardBytes: 700 });
    expect(await listDir(dir)).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      INDEX_FILE,
    ]);
    await writeCheckpoint(dir, tensors);
    expect(await listDir(dir)).toEqual(['config.json', SINGLE_FILE]);
    disposeStateDict(tensors);
  });

  it('copies a sharded checkpoint bit for bit through readRaw', async () => {
    const source = await openCheckpoint(SHARDED_DIR);
    const raws = new Map();
    for (const key of source.keys()) raws.set(key, await source.readRaw(key));
    await source.close();
    const dir = await tmp.make();
    await writeCheckpoint(dir, raws, { maxShardBytes: 60 });
    const copy = await openCheckpoint(dir);
    for (const key of copy.keys()) expect(await copy.readRaw(key), key).toEqual(raws.get(key));
    expect(copy.keys()).toEqual(expected.sharded.order);
    await copy.close();
  });

  it('rejects a non-positive shard size', async () => {
    const dir = await tmp.make();
    await expect(writeCheckpoint(dir, new Map(), { maxShardBytes: 0 })).rejects.toThrow(
      /maxShardBytes must be positive/,
    );
  });
});
