/**
 * Exact k-th largest |x| over one or many Float32Arrays in O(n), without sorting or copying.
 *
 * For non-negative IEEE-754 floats the order of the uint32 bit patterns is the numeric order, and
 * |x| is x with the sign bit cleared. Pass 1 histograms the high 16 bits of |x| (sign cleared, so
 * 2^15 bins) and finds the bin holding the k-th largest; pass 2 histograms the low 16 bits of the
 * values in that bin, which pins down the exact bit pattern. Both passes accept the data in
 * chunks (all tensors of a model, possibly streamed from disk), so nothing is concatenated.
 *
 * -0 counts as 0, subnormals and ±Infinity are ranked normally, and NaN is an error naming the
 * chunk it was found in: a NaN parameter means a broken checkpoint, not a value to rank.
 */
import { check, MergebenchError } from '@mergebench/core';

const ABS_MASK = 0x7fffffff;
const HIGH_BINS = 1 << 15;
const LOW_BINS = 1 << 16;
/** High bins from here up hold Infinity (0x7f800000) and NaN (everything above it). */
const FIRST_NON_FINITE_BIN = 0x7f80;
const INFINITY_BITS = 0x7f800000;
/** Counting segments this long keeps every Uint32 bin below 2^32 between carries. */
const SEGMENT = 1 << 30;

/**
 * Bin counts kept in Uint32 (the fastest to increment) and carried into float64 before they
 * could pass `limit`. Exported for tests.
 */
export class Histogram {
  readonly counts: Uint32Array;
  private carried: Float64Array | undefined;
  private pending = 0;

  constructor(
    bins: number,
    private readonly limit = 0xffffffff,
  ) {
    this.counts = new Uint32Array(bins);
  }

  /** Must be called before counting up to `n` (at most `limit`) more elements. */
  reserve(n: number): void {
    if (this.pending + n > this.limit) {
      this.carried ??= new Float64Array(this.counts.length);
      for (let bin = 0; bin < this.counts.length; bin++) this.carried[bin] += this.counts[bin];
      this.counts.fill(0);
      this.pending = 0;
    }
    this.pending += n;
  }

  /** Every count back to 0. */
  clear(): void {
    this.counts.fill(0);
    this.carried = undefined;
    this.pending = 0;
  }

  get(bin: number): number {
    return this.counts[bin] + (this.carried ? this.carried[bin] : 0);
  }

  sum(from: number, to: number): number {
    let total = 0;
    for (let bin = from; bin < to; bin++) total += this.get(bin);
    return total;
  }
}

function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

function countHigh(counts: Uint32Array, bits: Uint32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) counts[(bits[i] >>> 16) & 0x7fff]++;
}

function countLow(counts: Uint32Array, bits: Uint32Array, bin: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const a = bits[i] & ABS_MASK;
    if (a >>> 16 === bin) counts[a & 0xffff]++;
  }
}

function forEachSegment(length: number, fn: (start: number, end: number) => void): void {
  for (let start = 0; start < length; start += SEGMENT) fn(start, Math.min(length, start + SEGMENT));
}

function assertNoNaN(bits: Uint32Array, label: string): void {
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i] & ABS_MASK) > INFINITY_BITS) {
      throw new MergebenchError(`${label} contains NaN at element ${i}: magnitudes must be numbers`);
    }
  }
}

function floatFromBits(bits: number): number {
  return new Float32Array(Uint32Array.of(bits).buffer)[0];
}

/**
 * Two-pass selection of the k-th largest magnitude. Usage: `countPass1` every chunk, `target(k)`,
 * `countPass2` the same chunks again (any order), then `result()`.
 */
export class MagnitudeSelector {
  private readonly high = new Histogram(HIGH_BINS);
  private low: Histogram | undefined;
  /** The low histogram's counts are this selection's (target() was called). */
  private targeted = false;
  private total = 0;
  private bin = -1;
  /** Rank from the top of the target among the values in `bin`, 1-based. */
  private rankInBin = 0;
  private aboveResult = -1;

  /** Pass 1 over one chunk. `label` names the chunk if it holds a NaN, e.g. `key 'fc.weight'`. */
  countPass1(values: Float32Array, label: string): void {
    if (this.targeted) throw new Error('countPass1 called after target(): pass 1 is over');
    const bits = bitsOf(values);
    const nonFiniteBefore = this.high.sum(FIRST_NON_FINITE_BIN, HIGH_BINS);
    forEachSegment(bits.length, (start, end) => {
      this.high.reserve(end - start);
      countHigh(this.high.counts, bits, start, end);
    });
    // Scanning for NaN only when a non-finite value was counted keeps the common case to one loop.
    if (this.high.sum(FIRST_NON_FINITE_BIN, HIGH_BINS) !== nonFiniteBefore) assertNoNaN(bits, label);
    this.total += bits.length;
  }

  /**
   * Pass 1 over `n` values counted by the caller (native loops, which also refuse NaN): the
   * high-bits histogram to add their counts into.
   */
  pass1Bins(n: number): Uint32Array {
    if (this.targeted) throw new Error('pass1Bins called after target(): pass 1 is over');
    this.high.reserve(n);
    this.total += n;
    return this.high.counts;
  }

  /** How many values pass 1 has counted. */
  get count(): number {
    return this.total;
  }

  /** Ends pass 1 and aims at the k-th largest magnitude, 1 ≤ k ≤ count. */
  target(k: number): void {
    if (this.targeted) throw new Error('target() called twice');
    check(
      Number.isInteger(k) && k >= 1 && k <= this.total,
      () => `cannot select the ${k}-th largest magnitude of ${this.total} values`,
    );
    let above = 0;
    for (let bin = HIGH_BINS - 1; bin >= 0; bin--) {
      const count = this.high.get(bin);
      if (above + count >= k) {
        this.bin = bin;
        this.rankInBin = k - above;
        break;
      }
      above += count;
    }
    if (this.low) this.low.clear();
    else this.low = new Histogram(LOW_BINS);
    this.targeted = true;
  }

  /** Starts a new selection, keeping the histograms' memory. */
  reset(): void {
    this.high.clear();
    this.targeted = false;
    this.total = 0;
    this.bin = -1;
    this.rankInBin = 0;
    this.aboveResult = -1;
  }

  /** Pass 2 over one chunk. */
  countPass2(values: Float32Array): void {
    const low = this.low;
    if (!low || !this.targeted) throw new Error('countPass2 called before target()');
    const bits = bitsOf(values);
    forEachSegment(bits.length, (start, end) => {
      low.reserve(end - start);
      countLow(low.counts, bits, this.bin, start, end);
    });
  }

  /**
   * Pass 2 over `n` values counted by the caller: the low-bits histogram to add the counts of the
   * values whose high bits are `bin` into.
   */
  pass2Bins(n: number): { readonly counts: Uint32Array; readonly bin: number } {
    const low = this.low;
    if (!low || !this.targeted) throw new Error('pass2Bins called before target()');
    low.reserve(n);
    return { counts: low.counts, bin: this.bin };
  }

  /** The k-th largest |x|, after pass 2 has seen every chunk. */
  result(): number {
    const low = this.low;
    if (!low || !this.targeted) throw new Error('result() called before target()');
    check(
      low.sum(0, LOW_BINS) === this.high.get(this.bin),
      'magnitude selection: the second pass saw different data than the first (did a checkpoint change while it was read?)',
    );
    let above = 0;
    for (let lowBits = LOW_BINS - 1; lowBits >= 0; lowBits--) {
      const count = low.get(lowBits);
      if (above + count >= this.rankInBin) {
        this.aboveResult = this.high.sum(this.bin + 1, HIGH_BINS) + above;
        return floatFromBits(((this.bin << 16) | lowBits) >>> 0);
      }
      above += count;
    }
    throw new Error('unreachable: the target bin holds fewer values than counted');
  }

  /** How many values have a magnitude above the one `result()` returned (call it first). */
  above(): number {
    if (this.aboveResult < 0) throw new Error('above() called before result()');
    return this.aboveResult;
  }
}

/** The k-th largest |x| (1 ≤ k ≤ total length) over all arrays together. */
export function kthLargestMagnitude(
  arrays: readonly Float32Array[],
  k: number,
  labels?: readonly string[],
): number {
  const selector = new MagnitudeSelector();
  arrays.forEach((values, i) => {
    selector.countPass1(values, labels?.[i] ?? `array #${i + 1}`);
  });
  selector.target(k);
  for (const values of arrays) selector.countPass2(values);
  return selector.result();
}
