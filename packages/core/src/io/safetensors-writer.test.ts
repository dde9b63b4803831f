import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { DTYPES_FILE, listDir, SHARDED_DIR, tmpDirs, tokens } from './fixtures.test.helpers.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, type SafetensorsDtype } from './safetensors-format.js';
import { openSafetensors, type RawTensor } from './safetensors-reader.js';
import { type WritableTensor, writeSafetensors } from './safetensors-writer.js';

/** The fixtures hold NaN and ±Infinity on purpose (the format must carry them); weights may not. */
const SPECIALS = { allowNonFinite: true } as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tmp = tmpDirs();

/** Reads every tensor raw and writes them back with the same metadata. */
async function rewrite(src: string, dst: string): Promise<void> {
  const file = await openSafetensors(src, SPECIALS);
  const tensors = new Map<string, RawTensor>();
  for (const key of file.keys()) tensors.set(key, await file.readRaw(key));
  await file.close();
  await writeSafetensors(dst, tensors, { metadata: file.metadata, ...SPECIALS });
}

/** Deterministic pseudo-random float32 values with a spread of magnitudes and signs. */
function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 2 ** Math.floor(next() * 40 - 20));
}

describe('writeSafetensors', () => {
  it('reproduces the torch fixture byte for byte from its raw tensors', async () => {
    const dir = await tmp.make();
    await rewrite(DTYPES_FILE, join(dir, 'copy.safetensors'));
    expect((await readFile(join(dir, 'copy.safetensors'))).equals(await readFile(DTYPES_FILE))).toBe(true);
    for (const shard of (await listDir(SHARDED_DIR)).filter((name) => name.endsWith('.safetensors'))) {
      await rewrite(join(SHARDED_DIR, shard), join(dir, shard));
      expect((await readFile(join(dir, shard))).equals(await readFile(join(SHARDED_DIR, shard))), shard).toBe(
        true,
      );
    }
    expect(await listDir(dir)).toEqual(['copy.safetensors', ...(await listDir(SHARDED_DIR)).slice(0, 3)]);
  });

  it('round-trips random tensors of every dtype through the reader', async () => {
    const path = join(await tmp.make(), 'all.safetensors');
    const f = randomFloats(3 * 7 * 5, 1);
    const special = new Float32Array([Number.NaN, Infinity, -Infinity, -0, 0, 1e-40, 3.4e38, 65519, 1e-7]);
    const ints = new Int32Array([0, -1, 1, 2147483647, -2147483648, 12345]);
    const bools = new Uint8Array([1, 0, 0, 1, 1]);
    const raw = (dtype: SafetensorsDtype, shape: number[], data: ArrayBufferView): RawTensor => ({
      dtype,
      shape,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    const tensors = new Map<string, WritableTensor>([
      ['float', tf.tensor(f, [3, 7, 5])],
      ['special', tf.tensor(special)],
      ['scalar', tf.scalar(-2.75)],
      ['empty', tf.zeros([0, 4])],
      ['int', tf.tensor(ints, [2, 3], 'int32')],
      ['bool', tf.tensor(bools, [5], 'bool')],
      ['raw.i32', raw('I32', [3], new Int32Array([7, -8, 9]))],
      ['raw.u8', raw('U8', [2, 2], new Uint8Array([0, 255, 3, 128]))],
      ['raw.f64', raw('F64', [2], new Float64Array([0.1, -1e300]))],
      ['raw.bf16', raw('BF16', [2], new Uint16Array([0x3f80, 0xffc0]))],
    ]);
    await writeSafetensors(path, tensors, { metadata: { a: 'b' }, ...SPECIALS });
    const file = await openSafetensors(path, SPECIALS);
    expect(file.metadata).toEqual({ a: 'b' });
    expect(file.keys()).toEqual([...tensors.keys()]);
    expect(file.info('int').storedDtype).toBe('I64');
    expect(file.info('bool').storedDtype).toBe('BOOL');
    expect(file.info('float').storedDtype).toBe('F32');
    for (const [key, original] of tensors) {
      const back = await file.read(key);
      if (original instanceof tf.Tensor) {
        expect(back.dtype, key).toBe(original.dtype);
        expect(back.shape, key).toEqual(original.shape);
        expect(tokens(await back.data()), key).toEqual(tokens(await original.data()));
      } else {
        expect(await file.readRaw(key), key).toEqual({ ...original, shape: [...original.shape] });
      }
      back.dispose();
    }
    expect(tokens(await (await file.read('raw.f64')).data())).toEqual([Math.fround(0.1), '-inf']);
    expect(tokens(await (await file.read('raw.bf16')).data())).toEqual([1, 'nan']);
    await file.close();
    for (const t of tensors.values()) if (t instanceof tf.Tensor) t.dispose();
  });

  it('stores float tensors as F16, BF16 or F64 on request, rounding to nearest even', async () => {
    const values = new Float32Array([...randomFloats(200, 2), Number.NaN, -0, 70000, 1e-9]);
    const t = tf.tensor(values);
    const wide = {
      F16: (v: Float32Array) => f16ToF32(f32ToF16(v)),
      BF16: (v: Float32Array) => bf16ToF32(f32ToBf16(v)),
      F64: (v: Float32Array) => v,
    };
    for (const dtype of ['F16', 'BF16', 'F64'] as const) {
      const path = join(await tmp.make(), `${dtype}.safetensors`);
      await writeSafetensors(path, new Map([['w', t]]), { dtype, ...SPECIALS });
      const file = await openSafetensors(path, SPECIALS);
      expect(file.info('w').storedDtype).toBe(dtype);
      expect(tokens(await (await file.read('w')).data()), dtype).toEqual(tokens(wide[dtype](values)));
      await file.close();
    }
    t.dispose();
  });

  it('lays out the header as torch does: metadata first, map order kept, padded to 8 bytes', async () => {
    const path = join(await tmp.make(), 'order.safetensors');
    const tensors = new Map<string, WritableTensor>([
      ['z', tf.tensor([1, 2, 3], [3], 'bool')],
      ['10', tf.scalar(1)],
      ['2', tf.scalar(2)],
    ]);
    await writeSafetensors(path, tensors, { metadata: { format: 'pt' } });
    const bytes = await readFile(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const json =
      '{"__metadata__":{"format":"pt"},"z":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]},' +
      '"10":{"dtype":"F32","shape":[],"data_offsets":[3,7]},"2":{"dtype":"F32","shape":[],"data_offsets":[7,11]}}';
    expect(bytes.subarray(8, 8 + n).toString('utf8')).toBe(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    expect(bytes.length).toBe(8 + n + 11);
    const file = await openSafetensors(path);
    expect(file.keys()).toEqual(['z', '10', '2']);
    await file.close();
    for (const t of tensors.values()) (t as tf.Tensor).dispose();
  });

  it('writes a float32 tensor cast from int32 (whose values the cpu backend keeps as integers)', async () => {
    const path = join(await tmp.make(), 'cast.safetensors');
    const cast = tf.cast(tf.tensor1d([0, 1, -2], 'int32'), 'float32');
    await writeSafetensors(path, new Map([['x', cast]]));
    cast.dispose();
    const file = await openSafetensors(path);
    expect(file.info('x').storedDtype).toBe('F32');
    const read = await file.read('x');
    expect(Array.from(read.dataSync())).toEqual([0, 1, -2]);
    read.dispose();
    await file.close();
  });

  it('writes an empty file without metadata', async () => {
    const path = join(await tmp.make(), 'empty.safetensors');
    await writeSafetensors(path, new Map());
    expect((await readFile(path)).toString('latin1')).toBe('\x08\0\0\0\0\0\0\0{}      ');
    const file = await openSafetensors(path);
    expect(file.keys()).toEqual([]);
    expect(file.metadata).toBeUndefined();
    await file.close();
  });

  it('rejects what safetensors cannot hold before creating a file', async () => {
    const dir = await tmp.make();
    const path = join(dir, 'bad.safetensors');
    const str = tf.tensor(['a']);
    await expect(writeSafetensors(path, new Map([['s', str]]))).rejects.toThrow(
      /bad\.safetensors: tensor 's' has dtype string/,
    );
    const raw = { dtype: 'F32', shape: [3], data: new Uint8Array(8) } as RawTensor;
    await expect(writeSafetensors(path, new Map([['r', raw]]))).rejects.toThrow(
      /raw tensor 'r' has 8 bytes, but F32 of shape \[3\] needs 12/,
    );
    await expect(writeSafetensors(path, new Map([['__metadata__', tf.scalar(1)]]))).rejects.toThrow(
      MergebenchError,
    );
    await expect(writeSafetensors(path, new Map(), { metadata: { n: 1 as any } })).rejects.toThrow(
      /metadata 'n' must be a string/,
    );
    expect(await listDir(dir)).toEqual([]);
    str.dispose();
  });

  it('leaves no temp file and an existing target untouched when a tensor fails mid-write', async () => {
    const dir = await tmp.make();
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old contents');
    const ok = tf.ones([1000]);
    const gone = tf.ones([10]);
    gone.dispose(); // reading its data fails after the header and `ok` are written
    await expect(
      writeSafetensors(
        path,
        new Map([
          ['ok', ok],
          ['gone', gone],
        ]),
      ),
    ).rejects.toThrow();
    expect(await listDir(dir)).toEqual(['model.safetensors']);
    expect(await readFile(path, 'utf8')).toBe('old contents');
    ok.dispose();
  });
});
