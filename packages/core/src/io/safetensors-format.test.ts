import { describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { DTYPES_FILE } from './fixtures.test.helpers.js';
import {
  bf16ToF32,
  decodeToTf,
  encodeFromTf,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  SAFETENSORS_DTYPES,
  viewAs,
} from './safetensors-format.js';
import { openSafetensors } from './safetensors-reader.js';

/** The fixtures hold NaN and ±Infinity on purpose (the format must carry them); weights may not. */
const SPECIALS = { allowNonFinite: true } as const;

const ALL_U16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

/** Independent reference: the value of a half-precision bit pattern, by the IEEE formula. */
function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function isNaN16(h: number, expBits: number, mantMask: number): boolean {
  return (h & expBits) === expBits && (h & mantMask) !== 0;
}

describe('dtype table', () => {
  it('has bytes per element and the tfjs dtype of each safetensors dtype', () => {
    expect(SAFETENSORS_DTYPES).toEqual({
      F64: { bytes: 8, tfDtype: 'float32' },
      F32: { bytes: 4, tfDtype: 'float32' },
      F16: { bytes: 2, tfDtype: 'float32' },
      BF16: { bytes: 2, tfDtype: 'float32' },
      I64: { bytes: 8, tfDtype: 'int32' },
      I32: { bytes: 4, tfDtype: 'int32' },
      U8: { bytes: 1, tfDtype: 'int32' },
      BOOL: { bytes: 1, tfDtype: 'bool' },
    });
  });
});

describe('F16 and BF16 conversions', () => {
  it('widens every half-precision value exactly', () => {
    const wide = f16ToF32(ALL_U16);
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const expected = halfValue(h);
      if (Number.isNaN(expected) ? !Number.isNaN(wide[h]) : !Object.is(wide[h], expected)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('narrows every half-precision value back to itself; NaN stays NaN with its sign', () => {
    const back = f32ToF16(f16ToF32(ALL_U16));
    for (let h = 0; h < 65536; h++) {
      if (isNaN16(h, 0x7c00, 0x3ff)) {
        if (!isNaN16(back[h], 0x7c00, 0x3ff) || (back[h] & 0x8000) !== (h & 0x8000)) {
          expect.fail(`F16 NaN 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
        }
      } else if (back[h] !== h) {
        expect.fail(`F16 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
      }
    }
  });

  it('widens and narrows every bfloat16 value exactly; NaN stays NaN with its sign', () => {
    const wide = bf16ToF32(ALL_U16);
    const bits = new Uint32Array(wide.buffer);
    const back = f32ToBf16(wide);
    for (let h = 0; h < 65536; h++) {
      if (bits[h] !== (h << 16) >>> 0)
        expect.fail(`BF16 0x${h.toString(16)} widened to 0x${bits[h].toString(16)}`);
      if (isNaN16(h, 0x7f80, 0x7f)) {
        if (!isNaN16(back[h], 0x7f80, 0x7f) || (back[h] & 0x8000) !== (h & 0x8000)) {
          expect.fail(`BF16 NaN 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
        }
      } else if (back[h] !== h) {
        expect.fail(`BF16 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
      }
    }
  });

  it('rounds F32 → F16 and F32 → BF16 exactly as torch did (rounding.* fixtures)', async () => {
    const file = await openSafetensors(DTYPES_FILE, SPECIALS);
    try {
      const f32 = viewAs((await file.readRaw('rounding.f32')).data, Float32Array);
      const cases: [string, Uint16Array, number, number][] = [
        ['rounding.f16', f32ToF16(f32), 0x7c00, 0x3ff],
        ['rounding.bf16', f32ToBf16(f32), 0x7f80, 0x7f],
      ];
      for (const [key, ours, expBits, mantMask] of cases) {
        const torch = viewAs((await file.readRaw(key)).data, Uint16Array);
        expect(ours.length).toBe(torch.length);
        const mismatches: string[] = [];
        for (let i = 0; i < ours.length; i++) {
          // torch's NaN bits depend on its code path (scalar, AVX2, AVX-512); NaN must stay NaN
          const same = isNaN16(torch[i], expBits, mantMask)
            ? isNaN16(ours[i], expBits, mantMask)
            : ours[i] === torch[i];
          if (!same)
            mismatches.push(`${f32[i]}: ours 0x${ours[i].toString(16)}, torch 0x${torch[i].toString(16)}`);
        }
        expect(mismatches, key).toEqual([]);
      }
    } finally {
      await file.close();
    }
  });

  it('rounds ties to even, overflows to Inf and underflows to signed zero', () => {
    const f16 = (x: number) => f32ToF16(new Float32Array([x]))[0];
    expect(f16(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(f16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(f16(65504)).toBe(0x7bff);
    expect(f16(65519)).toBe(0x7bff);
    expect(f16(65520)).toBe(0x7c00); // rounds up to Inf
    expect(f16(-1e6)).toBe(0xfc00);
    expect(f16(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → 0
    expect(f16(3 * 2 ** -25)).toBe(0x0002);
    expect(f16(-(2 ** -26))).toBe(0x8000);
    const bf16 = (x: number) => f32ToBf16(new Float32Array([x]))[0];
    expect(bf16(1 + 2 ** -8)).toBe(0x3f80);
    expect(bf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(bf16(3.4028234663852886e38)).toBe(0x7f80);
    expect(bf16(-Infinity)).toBe(0xff80);
  });
});

describe('decodeToTf / encodeFromTf', () => {
  const bytes = (values: ArrayBufferView) =>
    new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

  it('reads I64 into int32 and names the tensor when a value does not fit', () => {
    const ok = new BigInt64Array([0n, -1n, 2147483647n, -2147483648n]);
    expect(Array.from(decodeToTf('I64', bytes(ok), 'f: tensor t'))).toEqual([0, -1, 2147483647, -2147483648]);
    for (const bad of [2147483648n, -2147483649n, 1n << 40n]) {
      const call = () => decodeToTf('I64', bytes(new BigInt64Array([7n, bad])), 'x.safetensors: tensor ids');
      expect(call).toThrow(MergebenchError);
      expect(call).toThrow(new RegExp(`x\\.safetensors: tensor ids: I64 value ${bad} at flat index 1`));
    }
  });

  it('writes int32 as I64 with sign extension', () => {
    const stored = encodeFromTf(new Int32Array([5, -5, -2147483648]), 'I64', 't');
    expect(Array.from(new BigInt64Array(stored.buffer, stored.byteOffset, 3))).toEqual([
      5n,
      -5n,
      -2147483648n,
    ]);
  });

  it('copies misaligned input before viewing it', () => {
    const buf = new Uint8Array(9);
    new DataView(buf.buffer).setFloat32(1, 2.5, true);
    expect(Array.from(decodeToTf('F32', buf.subarray(1, 5), 't'))).toEqual([2.5]);
  });

  it('converts U8 and F64', () => {
    expect(Array.from(decodeToTf('U8', new Uint8Array([0, 255]), 't'))).toEqual([0, 255]);
    const f64 = new Float64Array([0.1, 1e300, -1e-300]);
    expect(Array.from(decodeToTf('F64', bytes(f64), 't'))).toEqual([Math.fround(0.1), Infinity, -0]);
  });

  it('refuses a storage that does not fit the values', () => {
    expect(() => encodeFromTf(new Int32Array([1]), 'F16', 'x: tensor t')).toThrow(
      /x: tensor t: cannot store/,
    );
  });
});
