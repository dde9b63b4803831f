import { describe, expect, it } from 'vitest';
import {
  DTYPE_CODES,
  loadMergeLoops,
  loopsChoiceFromEnv,
  mergeLoopsUnavailable,
  RULE_FIELDS,
} from './index.js';

// The loops' parity with the JavaScript loops they replace is tested where those live
// (@mergebench/task-vectors' native-loops.test.ts); here: loading, the choice, argument checks,
// and values worked out by hand.

const loops = loadMergeLoops('native')!;
const bf16 = (...values: number[]) =>
  Uint16Array.from(new Uint32Array(Float32Array.from(values).buffer), (bits) => bits >>> 16);

describe('loading', () => {
  it('is built here (CI installs g++, make and python3), with its threads', () => {
    expect(mergeLoopsUnavailable()).toBeUndefined();
    expect(loops.threads()).toBeGreaterThanOrEqual(1);
  });

  it('gives no native loops for MERGEBENCH_MERGE_LOOPS=js, and refuses an unknown value', () => {
    expect(loopsChoiceFromEnv({ MERGEBENCH_MERGE_LOOPS: 'js' })).toBe('js');
    expect(loadMergeLoops(loopsChoiceFromEnv({ MERGEBENCH_MERGE_LOOPS: 'js' }))).toBeUndefined();
    expect(loadMergeLoops(loopsChoiceFromEnv({}))).toBe(loops);
    expect(() => loopsChoiceFromEnv({ MERGEBENCH_MERGE_LOOPS: 'fast' })).toThrow(
      'MERGEBENCH_MERGE_LOOPS=fast: expected native, js or auto',
    );
  });
});

describe('merges', () => {
  it('task arithmetic of BF16 entries, rounded to BF16, NaN and infinities counted', () => {
    const base = bf16(1, 2, 3, 0);
    const models = [bf16(2, 2, 5, Infinity), bf16(1, 4, 3, 0), bf16(1, 2, 3, Number.NaN)];
    const out = new Uint16Array(4);
    const bad = loops.plain(
      DTYPE_CODES.BF16,
      base,
      models,
      Float32Array.of(1, 0.5, 1),
      1,
      false,
      1,
      4,
      DTYPE_CODES.BF16,
      out,
    );
    expect(Array.from(out)).toEqual(Array.from(bf16(2, 3, 5, Number.NaN)));
    expect(bad).toBe(1);
  });

  it('TIES: the elected sign of the sum, the mean of the entries of that sign', () => {
    const base = Float32Array.of(0, 0);
    const models = [Float32Array.of(1, -3), Float32Array.of(-0.5, 2), Float32Array.of(2, 2)];
    const rules = new Float64Array(3 * RULE_FIELDS);
    for (let t = 0; t < 3; t++) rules[t * RULE_FIELDS + 1] = 1;
    const out = new Float32Array(2);
    loops.generalized(
      DTYPE_CODES.F32,
      base,
      models,
      rules,
      true,
      true,
      3,
      false,
      1,
      0,
      2,
      DTYPE_CODES.F32,
      out,
    );
    expect(Array.from(out)).toEqual([1.5, 2]);
  });

  it('refuses arrays shorter than the entries asked for, in one line', () => {
    const out = new Uint16Array(2);
    expect(() =>
      loops.plain(
        DTYPE_CODES.BF16,
        bf16(1),
        [bf16(1, 2)],
        Float32Array.of(1),
        1,
        false,
        1,
        2,
        DTYPE_CODES.BF16,
        out,
      ),
    ).toThrow('merge-loops: base: 2 bytes for 2 entries');
  });
});
