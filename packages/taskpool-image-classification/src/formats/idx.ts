import { MergebenchError } from '@mergebench/core';

/** An IDX array of unsigned bytes (the format of MNIST and Fashion-MNIST). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/**
 * Parses IDX: two zero bytes, a type code (only 0x08, unsigned byte, is accepted: it is what
 * image and label files use), the number of dimensions, each dimension as a big-endian int32,
 * then exactly that many bytes of data.
 */
export function parseIdx(bytes: Uint8Array, origin: string): IdxArray {
  const fail = (why: string): never => {
    throw new MergebenchError(`${origin}: not a valid IDX file: ${why}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`magic number starts with 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) fail(`type code 0x${hex(bytes[2])}, expected 0x08 (unsigned byte)`);
  const rank = bytes[3];
  if (rank === 0) fail('0 dimensions');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength)
    fail(`truncated header (${bytes.length} bytes, ${rank} dimensions need ${headerLength})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = view.getInt32(4 + 4 * d, false);
    if (size < 0) fail(`dimension ${d} is ${size}`);
    dims.push(size);
  }
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual < expected)
    fail(`truncated: dimensions [${dims}] need ${expected} bytes of data, found ${actual}`);
  if (actual > expected) fail(`${actual - expected} bytes after the [${dims}] array`);
  return { dims, data: bytes.subarray(headerLength) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
