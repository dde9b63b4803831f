import { type CholeskyResult, choleskyFactor, choleskySolve } from './cholesky.js';

/**
 * A Cholesky pivot that keeps less than this fraction of its diagonal entry makes the system
 * singular. The Gram matrices are float32 sums, known to ~1e-7 of their entries, so a smaller
 * pivot is rounding noise. With reduce_non_diagonal_ratio α < 1 every pivot keeps at least 1 − α
 * of its entry (ΣG ⪰ (1 − α)·diag(ΣG)), so only an input feature that is 0 in every example (a
 * zero row and column) trips it; with α = 1, so does a rank-deficient Gram matrix.
 */
export const PIVOT_TOLERANCE = 1e-6;

/** The fallback's ridge ε, relative to the mean diagonal entry of the summed Gram matrix. */
export const RIDGE = 1e-5;

export interface RegMeanSolution {
  /** X with S·X = B (or the regularised system), n×m row-major, in place of B. */
  readonly solution: Float64Array;
  /** ε of the fallback; 0 when S was solved as it is. */
  readonly ridge: number;
  /** The column whose pivot failed first, when the fallback ran. */
  readonly singularColumn?: number;
}

function diagonalMean(s: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i * n + i];
  return sum / n;
}

/**
 * Solves S·X = B by Cholesky in float64, in place of `b` (S n×n, B n×m, row-major). When S is
 * singular it solves (S + εI)·X = B + ε·A instead, ε = RIDGE × the mean of S's diagonal (1 when
 * that is 0), A = `anchor()` (n×m): a ridge that pulls X towards A rather than towards zero, so
 * that the part of X no data constrains takes A's value. Returns undefined when even that fails
 * (S is not finite).
 */
export async function solveRegMean(
  s: Float64Array,
  n: number,
  b: Float64Array,
  m: number,
  anchor: () => Promise<Float64Array>,
): Promise<RegMeanSolution | undefined> {
  const first = choleskyFactor(s, n, { tolerance: PIVOT_TOLERANCE });
  if (first.ok) {
    choleskySolve(first.factor, n, b, m);
    return { solution: b, ridge: 0 };
  }
  const mean = diagonalMean(s, n);
  const ridge = mean > 0 ? RIDGE * mean : 1;
  const second: CholeskyResult = choleskyFactor(s, n, { shift: ridge });
  if (!second.ok) return undefined;
  const average = await anchor();
  for (let i = 0; i < b.length; i++) b[i] += ridge * average[i];
  choleskySolve(second.factor, n, b, m);
  return { solution: b, ridge, singularColumn: first.column };
}
