import { createRng } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { choleskyFactor, choleskySolve, PIVOT_TOLERANCE, solveRegMean } from './index.js';

/** A random symmetric positive-definite n×n matrix: XᵀX/rows + I/10, X with rows > n. */
function spd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const rows = n + 5;
  const x = Float64Array.from({ length: rows * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * n + i] * x[r * n + j];
      a[i * n + j] = s / rows + (i === j ? 0.1 : 0);
    }
  }
  return a;
}

function multiply(a: Float64Array, n: number, x: Float64Array, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let c = 0; c < m; c++) out[i * m + c] += a[i * n + k] * x[k * m + c];
  return out;
}

describe('Cholesky', () => {
  // Sizes around the row block (32), the column panel (64) and the 4-wide kernels.
  it.each([
    [1, 1],
    [5, 3],
    [37, 70],
    [70, 131],
  ])('solves A·X = B for n = %i with %i right-hand sides', (n, m) => {
    const a = spd(n, n);
    const rng = createRng(m);
    const x = Float64Array.from({ length: n * m }, () => rng.normal());
    const b = multiply(a, n, x, m);
    const factor = choleskyFactor(a, n);
    expect(factor.ok).toBe(true);
    if (!factor.ok) return;
    // L·Lᵀ = A, and L is lower triangular.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += factor.factor[i * n + k] * factor.factor[j * n + k];
        expect(s).toBeCloseTo(a[i * n + j], 10);
        if (j > i) expect(factor.factor[i * n + j]).toBe(0);
      }
    }
    choleskySolve(factor.factor, n, b, m);
    for (let i = 0; i < b.length; i++) expect(b[i]).toBeCloseTo(x[i], 8);
  });

  it('finds the first column that makes a matrix singular, and factors it with a shift', () => {
    const n = 6;
    const a = spd(n, 3);
    // Column 4 becomes a copy of column 1: A stays symmetric, positive semi-definite and singular.
    for (let i = 0; i < n; i++) {
      a[i * n + 4] = a[i * n + 1];
      a[4 * n + i] = a[1 * n + i];
    }
    a[4 * n + 4] = a[1 * n + 1];
    expect(choleskyFactor(a, n, { tolerance: PIVOT_TOLERANCE })).toEqual({ ok: false, column: 4 });
    expect(choleskyFactor(a, n, { shift: 1e-3 }).ok).toBe(true);
    const zero = new Float64Array(n * n);
    expect(choleskyFactor(zero, n)).toEqual({ ok: false, column: 0 });
    expect(
      choleskyFactor(
        Float64Array.from(a, (v, i) => (i === 7 ? Number.NaN : v)),
        n,
      ),
    ).toEqual({ ok: false, column: 1 });
  });

  it('regularises a singular system towards the anchor', async () => {
    // S = diag(2, 0): the second unknown is unconstrained and takes the anchor's value.
    const s = Float64Array.from([2, 0, 0, 0]);
    const b = Float64Array.from([4, 0]);
    const solved = await solveRegMean(s, 2, b, 1, async () => Float64Array.from([9, 7]));
    expect(solved!.ridge).toBe(1e-5);
    expect(solved!.singularColumn).toBe(1);
    expect(solved!.solution[0]).toBeCloseTo(2, 4);
    expect(solved!.solution[1]).toBeCloseTo(7, 12);
    const nan = await solveRegMean(
      Float64Array.from([Number.NaN]),
      1,
      Float64Array.from([1]),
      1,
      async () => new Float64Array(1),
    );
    expect(nan).toBeUndefined();
  });
});
