import type { FileHandle } from 'node:fs/promises';
import { open, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MergebenchError } from '../errors.js';
import { DTYPES_FILE, type Expected, loadExpected, tmpDirs, tokens } from './fixtures.test.helpers.js';
import { openSafetensors } from './safetensors-reader.js';

/** The fixtures hold NaN and ±Infinity on purpose (the format must carry them); weights may not. */
const SPECIALS = { allowNonFinite: true } as const;

let expected: Expected;
beforeAll(async () => {
  await tf.setBackend('cpu');
  expected = await loadExpected();
});

const tmp = tmpDirs();

/** Writes a file: 8-byte little-endian header length, header text, then `data` (a size of zeros, or bytes). */
async function craft(
  name: string,
  header: unknown,
  data: number | Uint8Array = 0,
  headerLength?: bigint,
): Promise<string> {
  const text = Buffer.isBuffer(header)
    ? header
    : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(text.length));
  const body = typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data);
  const path = join(await tmp.make(), name);
  await writeFile(path, Buffer.concat([prefix, text, body]));
  return path;
}

async function openError(path: string): Promise<MergebenchError> {
  const err = await openSafetensors(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MergebenchError);
  return err as MergebenchError;
}

describe('openSafetensors on the torch fixture', () => {
  it('exposes metadata (UTF-8 included) and the keys in file order', async () => {
    const file = await openSafetensors(DTYPES_FILE, SPECIALS);
    try {
      expect(file.metadata).toEqual(expected.dtypes.metadata);
      expect(file.keys()).toEqual(expected.dtypes.order);
      expect(file.info('f16.odd')).toMatchObject({ shape: [5, 3], storedDtype: 'F16' });
      expect(file.origin).toBe(DTYPES_FILE);
    } finally {
      await file.close();
    }
  });

  it('decodes every tensor to the values torch wrote (F16/BF16 exactly as torch converted them)', async () => {
    const file = await openSafetensors(DTYPES_FILE, SPECIALS);
    try {
      for (const [key, want] of Object.entries(expected.dtypes.tensors)) {
        const t = await file.read(key);
        const tfDtype =
          want.dtype === 'BOOL' ? 'bool' : ['I64', 'I32', 'U8'].includes(want.dtype) ? 'int32' : 'float32';
        expect(t.dtype, key).toBe(tfDtype);
        expect(t.shape, key).toEqual(want.shape);
        expect(tokens(await t.data()), key).toEqual(tokens(want.values));
        t.dispose();
      }
    } finally {
      await file.close();
    }
  });

  it('readRaw returns the stored bytes untouched', async () => {
    const bytes = await readFile(DTYPES_FILE);
    const file = await openSafetensors(DTYPES_FILE, SPECIALS);
    try {
      const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
      for (const key of file.keys()) {
        const { begin, end, storedDtype, shape } = file.info(key);
        const raw = await file.readRaw(key);
        expect(raw.dtype).toBe(storedDtype);
        expect(raw.shape).toEqual(shape);
        expect(Buffer.from(raw.data).equals(bytes.subarray(dataStart + begin, dataStart + end)), key).toBe(
          true,
        );
      }
    } finally {
      await file.close();
    }
  });

  it('names the file and lists some keys for an unknown key; refuses reads after close', async () => {
    const file = await openSafetensors(DTYPES_FILE, SPECIALS);
    expect(() => file.info('nope')).toThrow(
      /dtypes\.safetensors: no tensor 'nope' \(18 tensors: f32\.special, /,
    );
    await expect(file.read('nope')).rejects.toThrow(MergebenchError);
    await file.close();
    await expect(file.read('f32.odd')).rejects.toThrow(
      /dtypes\.safetensors: read of tensor 'f32\.odd' after close/,
    );
  });
});

describe('openSafetensors on broken files', () => {
  const entry = (dtype: string, shape: number[], offsets: number[]) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });

  it('rejects a missing file and a file shorter than 8 bytes', async () => {
    expect((await openError(join(await tmp.make(), 'absent.safetensors'))).message).toMatch(
      /absent\.safetensors: no such/,
    );
    const short = join(await tmp.make(), 'short.safetensors');
    await writeFile(short, Buffer.from([1, 2, 3]));
    expect((await openError(short)).message).toMatch(/short\.safetensors: 3 bytes is too short/);
  });

  it('rejects an oversized header length and one past the end of the file', async () => {
    const huge = await craft('huge.safetensors', {}, 0, 200_000_000n);
    expect((await openError(huge)).message).toMatch(
      /huge\.safetensors: header length 200000000 exceeds the 100000000/,
    );
    const past = await craft('past.safetensors', {}, 0, 100n);
    expect((await openError(past)).message).toMatch(
      /past\.safetensors: header length 100 exceeds the 2 bytes/,
    );
  });

  it('rejects a header that is not a JSON object, or whose metadata is not a string map', async () => {
    expect((await openError(await craft('text.safetensors', '{"a": '))).message).toMatch(
      /text\.safetensors: header is not valid JSON/,
    );
    expect((await openError(await craft('array.safetensors', '[1,2]'))).message).toMatch(
      /array\.safetensors: header is not a JSON object/,
    );
    const meta = await craft('meta.safetensors', { __metadata__: { n: 1 } });
    expect((await openError(meta)).message).toMatch(
      /meta\.safetensors: __metadata__ must be an object of string values/,
    );
    const bad = await craft(
      'utf8.safetensors',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x7b, 0x7d, 0x7d]),
    );
    expect((await openError(bad)).message).toMatch(/utf8\.safetensors: header is not valid UTF-8/);
  });

  const cases: [string, unknown, number, RegExp][] = [
    ['unknown dtype', { w: entry('F8', [2], [0, 2]) }, 2, /tensor 'w': unknown dtype "F8"/],
    ['bad shape', { w: entry('F32', [2, -1], [0, 8]) }, 8, /tensor 'w': shape \[2,-1\] is not a list/],
    ['fractional shape', { w: entry('F32', [1.5], [0, 8]) }, 8, /tensor 'w': shape/],
    ['bad offsets', { w: entry('F32', [2], [0]) }, 8, /tensor 'w': data_offsets \[0\] is not a pair/],
    [
      'begin after end',
      { w: entry('F32', [0], [8, 4]) },
      8,
      /tensor 'w': data_offsets \[8, 4\] fall outside/,
    ],
    [
      'end past the data',
      { w: entry('F32', [4], [0, 16]) },
      12,
      /tensor 'w': data_offsets \[0, 16\] fall outside the 12/,
    ],
    [
      'wrong byte length',
      { w: entry('F16', [3], [0, 8]) },
      8,
      /tensor 'w': data_offsets \[0, 8\] hold 8 bytes, but F16 of shape \[3\] needs 6/,
    ],
    [
      'overlap',
      { a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) },
      12,
      /tensor 'b' \(bytes 4–12\) overlaps tensor 'a' \(bytes 0–8\)/,
    ],
    ['not an object', { w: 5 }, 0, /tensor 'w': header entry is not an object/],
  ];
  for (const [what, header, dataBytes, message] of cases) {
    it(`rejects ${what}, naming the file and the tensor`, async () => {
      const path = await craft(`${what.replace(/ /g, '-')}.safetensors`, header, dataBytes);
      const err = await openError(path);
      expect(err.message).toContain(path);
      expect(err.message).toMatch(message);
    });
  }

  it('accepts an empty tensor inside another one and holes between tensors', async () => {
    const path = await craft(
      'ok.safetensors',
      { a: entry('F32', [2], [0, 8]), e: entry('F32', [0, 5], [4, 4]), b: entry('U8', [2], [10, 12]) },
      12,
    );
    const file = await openSafetensors(path);
    expect(file.keys()).toEqual(['a', 'e', 'b']);
    expect((await file.read('e')).shape).toEqual([0, 5]);
    await file.close();
  });

  it('names file and tensor for a truncated torch file', async () => {
    const bytes = await readFile(DTYPES_FILE);
    const path = join(await tmp.make(), 'cut.safetensors');
    await writeFile(path, bytes.subarray(0, bytes.length - 3));
    expect((await openError(path)).message).toMatch(
      /cut\.safetensors: tensor 'rounding\.bf16': data_offsets .* fall outside/,
    );
  });

  it('names file and tensor for an I64 value outside int32 when reading', async () => {
    const data = new Uint8Array(new BigInt64Array([1n, 1n << 33n]).buffer);
    const path = await craft('ids.safetensors', { ids: entry('I64', [2], [0, 16]) }, data);
    const file = await openSafetensors(path);
    await expect(file.read('ids')).rejects.toThrow(
      /ids\.safetensors: tensor 'ids': I64 value 8589934592 at flat index 1/,
    );
    expect((await file.readRaw('ids')).data).toEqual(data);
    await file.close();
  });
});

describe('reading one tensor of a big file', () => {
  let spy: ReturnType<typeof vi.spyOn> | undefined;
  afterEach(() => spy?.mockRestore());

  it('reads only the header and that tensor', async () => {
    // 4 GiB "big" tensor in a sparse file: nothing is on disk, and reading it all would take seconds
    const big = 2 ** 32;
    const path = await craft('big.safetensors', {
      small: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      big: { dtype: 'F32', shape: [big / 4], data_offsets: [16, 16 + big] },
    });
    const headerEnd = (await readFile(path)).length;
    await truncate(path, headerEnd + 16 + big);
    const probe: FileHandle = await open(path, 'r');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    let bytesRequested = 0;
    const original = proto.read;
    spy = vi.spyOn(proto, 'read').mockImplementation(function (this: FileHandle, ...args: any[]) {
      bytesRequested += typeof args[2] === 'number' ? args[2] : 0;
      return (original as any).apply(this, args);
    });
    const started = performance.now();
    const file = await openSafetensors(path);
    const small = await file.read('small');
    await file.close();
    expect(Array.from(await small.data())).toEqual([0, 0, 0, 0]);
    expect(bytesRequested).toBe(headerEnd + 16);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
