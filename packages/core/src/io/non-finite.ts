import { MergebenchError } from '../errors.js';
import { viewAs } from './safetensors-format.js';

/** How many of `values` are NaN or ±Infinity: one pass, no allocation (x - x is 0 only when finite). */
export function countNonFinite(values: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) bad++;
  }
  return bad;
}

/** The same count over stored bytes of a float dtype; F16 and BF16 by their all-ones exponent. */
export function countNonFiniteStored(dtype: string, bytes: Uint8Array): number {
  if (dtype === 'F32') return countNonFinite(viewAs(bytes, Float32Array));
  if (dtype === 'F64') return countNonFinite(viewAs(bytes, Float64Array));
  if (dtype !== 'F16' && dtype !== 'BF16') return 0;
  const exponent = dtype === 'F16' ? 0x7c00 : 0x7f80;
  const halves = viewAs(bytes, Uint16Array);
  let bad = 0;
  for (let i = 0; i < halves.length; i++) if ((halves[i] & exponent) === exponent) bad++;
  return bad;
}

/**
 * Refuses weights with NaN or ±Infinity: merging them silently yields a model whose every loss is
 * NaN, reported as null. `where` names the file (or model) and the tensor.
 */
export function assertFinite(bad: number, total: number, where: string): void {
  if (bad > 0) {
    throw new MergebenchError(
      `${where}: ${bad} of ${total} values are NaN or infinite; weights must be finite`,
    );
  }
}
