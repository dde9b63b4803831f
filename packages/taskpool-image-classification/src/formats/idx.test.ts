import { describe, expect, it } from 'vitest';
import { parseIdx } from './idx.js';

function idx(typeCode: number, dims: number[], data: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, typeCode, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => {
    view.setInt32(4 + 4 * i, d, false);
  });
  return Uint8Array.from([...header, ...data]);
}

describe('parseIdx', () => {
  it('reads big-endian dimensions and the bytes after them', () => {
    const parsed = parseIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]), 'x.idx');
    expect(parsed.dims).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads dimensions past 255 (big-endian)', () => {
    expect(parseIdx(idx(0x08, [300], new Array(300).fill(7)), 'x').dims).toEqual([300]);
  });

  it.each([
    [
      'a wrong magic number',
      Uint8Array.from([0x1f, 0x8b, 8, 1, 0, 0, 0, 0]),
      /x\.idx: not a valid IDX file: magic number starts with 0x1f8b, expected 0x0000$/,
    ],
    [
      'a type other than unsigned byte',
      idx(0x0d, [1], [0, 0, 0, 0]),
      /type code 0x0d, expected 0x08 \(unsigned byte\)$/,
    ],
    ['fewer than 4 bytes', Uint8Array.from([0, 0]), /2 bytes, shorter than the 4-byte magic number$/],
    [
      'a truncated header',
      idx(0x08, [2, 3], []).subarray(0, 9),
      /truncated header \(9 bytes, 2 dimensions need 12\)$/,
    ],
    [
      'truncated data',
      idx(0x08, [2, 3], [1, 2, 3]),
      /truncated: dimensions \[2,3\] need 6 bytes of data, found 3$/,
    ],
    ['bytes after the data', idx(0x08, [2], [1, 2, 3]), /1 bytes after the \[2\] array$/],
  ])('rejects %s with one line naming the file', (_what, bytes, message) => {
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(message);
  });
});
