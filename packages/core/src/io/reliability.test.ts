import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from './safetensors-reader.js';

/** A safetensors file written by hand (as another tool would), one tensor per entry. */
function handWritten(tensors: Record<string, { dtype: string; values: Float32Array | Uint16Array }>): string {
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const [key, { dtype, values }] of Object.entries(tensors)) {
    header[key] = { dtype, shape: [values.length], data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const data = Object.values(tensors).map(({ values }) => Buffer.from(values.buffer));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mb-nonfinite-')), 'model.safetensors');
  writeFileSync(file, Buffer.concat([prefix, json, ...data]));
  return file;
}

describe('checkpoint reads that never lie', () => {
  it('refuses a tensor with NaN or Infinity, naming the file, the key and the count', async () => {
    const file = handWritten({
      fine: { dtype: 'F32', values: Float32Array.of(1, 2) },
      'layer.weight': { dtype: 'F32', values: Float32Array.of(1, Number.NaN, Number.POSITIVE_INFINITY, 4) },
      // 0x7e00 is NaN in F16; 0x7f80 is +Infinity in BF16
      half: { dtype: 'F16', values: Uint16Array.of(0x3c00, 0x7e00) },
      brain: { dtype: 'BF16', values: Uint16Array.of(0x7f80, 0x3f80) },
    });
    const checkpoint = await openSafetensors(file);
    try {
      expect((await checkpoint.read('fine')).dataSync()).toEqual(Float32Array.of(1, 2));
      for (const read of [(k: string) => checkpoint.read(k), (k: string) => checkpoint.readRaw(k)]) {
        await expect(read('layer.weight')).rejects.toThrow(
          `${file}: tensor 'layer.weight': 2 of 4 values are NaN or infinite; weights must be finite`,
        );
        await expect(read('half')).rejects.toThrow(`${file}: tensor 'half': 1 of 2 values`);
        await expect(read('brain')).rejects.toThrow(`${file}: tensor 'brain': 1 of 2 values`);
      }
    } finally {
      await checkpoint.close();
    }
  });
});
