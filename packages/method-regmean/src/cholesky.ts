/**
 * Cholesky factorisation and solves in float64 typed arrays, for the symmetric positive-definite
 * systems of RegMean (tfjs has no linear solver). Matrices are row-major n×n; right-hand sides
 * are row-major n×m.
 *
 * Factoring takes n³/6 multiply-adds and solving n²·m (n = 3072, m = 768: 4.8e9 and 7.2e9), so
 * the loops are arranged for the cache and the registers: every inner loop is a dot product over
 * contiguous memory, four of them share each load (one row of the factor against four rows, or
 * four right-hand sides against one row), and rows and right-hand sides are taken in blocks whose
 * reused part stays in cache.
 */

/** Rows factored together: each earlier row of the factor is read once per block, not per row. */
const ROW_BLOCK = 32;
/** Right-hand sides solved together: the panel (n × 64 doubles, 1.5 MiB at n = 3072) stays in cache. */
const COLUMN_PANEL = 64;

export interface CholeskyOptions {
  /** Added to the diagonal before factoring (a ridge), default 0. */
  readonly shift?: number;
  /**
   * A pivot must exceed `tolerance` times its (shifted) diagonal entry, default 0 (it must be
   * positive); otherwise the matrix is taken as singular.
   */
  readonly tolerance?: number;
}

export type CholeskyResult =
  | { readonly ok: true /** L, row-major, zero above the diagonal. */; readonly factor: Float64Array }
  | { readonly ok: false /** The first column whose pivot failed. */; readonly column: number };

/** Σₖ x[xo + k]·y[yo + k], k < length. */
function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 2 <= length; k += 2) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
  }
  if (k < length) s0 += x[xo + k] * y[yo + k];
  return s0 + s1;
}

/** out[r] = Σₖ x[xo + k]·y[yoᵣ + k] for four offsets yo₀…yo₃, k < length: x is loaded once for four products. */
function dot4(
  out: Float64Array,
  x: Float64Array,
  xo: number,
  y: Float64Array,
  y0: number,
  y1: number,
  y2: number,
  y3: number,
  length: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < length; k++) {
    const v = x[xo + k];
    s0 += v * y[y0 + k];
    s1 += v * y[y1 + k];
    s2 += v * y[y2 + k];
    s3 += v * y[y3 + k];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/**
 * The lower factor L of A + shift·I = L·Lᵀ, reading only A's lower triangle (A is not changed),
 * or the first column whose pivot is not above tolerance × its diagonal entry, or not finite.
 */
export function choleskyFactor(a: Float64Array, n: number, options: CholeskyOptions = {}): CholeskyResult {
  const shift = options.shift ?? 0;
  const tolerance = options.tolerance ?? 0;
  const l = new Float64Array(n * n);
  const sums = new Float64Array(4);
  for (let i0 = 0; i0 < n; i0 += ROW_BLOCK) {
    const i1 = Math.min(n, i0 + ROW_BLOCK);
    // Column by column across the block's rows: L[i][j] needs rows i and j up to column j − 1.
    for (let j = 0; j < i1; j++) {
      const rowJ = j * n;
      let i = Math.max(i0, j);
      if (i === j) {
        const diagonal = a[rowJ + j] + shift;
        const pivot = diagonal - dot(l, rowJ, l, rowJ, j);
        if (!(pivot > tolerance * diagonal && pivot > 0) || !Number.isFinite(pivot))
          return { ok: false, column: j };
        l[rowJ + j] = Math.sqrt(pivot);
        i++;
      }
      const ljj = l[rowJ + j];
      for (; i + 4 <= i1; i += 4) {
        const rowI = i * n;
        dot4(sums, l, rowJ, l, rowI, rowI + n, rowI + 2 * n, rowI + 3 * n, j);
        for (let r = 0; r < 4; r++) l[rowI + r * n + j] = (a[rowI + r * n + j] - sums[r]) / ljj;
      }
      for (; i < i1; i++) {
        const rowI = i * n;
        l[rowI + j] = (a[rowI + j] - dot(l, rowI, l, rowJ, j)) / ljj;
      }
    }
  }
  return { ok: true, factor: l };
}

/** Solves L·Lᵀ·X = B for X in place of B (n×m), given the factor L of choleskyFactor. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): void {
  // Lᵀ row by row, so that the backward pass also runs over contiguous memory.
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) u[k * n + i] = l[i * n + k];
  const width = Math.min(COLUMN_PANEL, m);
  // The panel holds its right-hand sides column by column: column c at c·n.
  const panel = new Float64Array(n * width);
  const sums = new Float64Array(4);
  for (let c0 = 0; c0 < m; c0 += COLUMN_PANEL) {
    const w = Math.min(COLUMN_PANEL, m - c0);
    for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) panel[c * n + i] = b[i * m + c0 + c];
    // L·Y = B: Yᵢ = (Bᵢ − Σₖ<ᵢ Lᵢₖ·Yₖ) / Lᵢᵢ.
    for (let i = 0; i < n; i++) {
      const rowI = i * n;
      const d = l[rowI + i];
      let c = 0;
      for (; c + 4 <= w; c += 4) {
        const y = c * n;
        dot4(sums, l, rowI, panel, y, y + n, y + 2 * n, y + 3 * n, i);
        for (let r = 0; r < 4; r++) panel[y + r * n + i] = (panel[y + r * n + i] - sums[r]) / d;
      }
      for (; c < w; c++) panel[c * n + i] = (panel[c * n + i] - dot(l, rowI, panel, c * n, i)) / d;
    }
    // Lᵀ·X = Y: Xᵢ = (Yᵢ − Σₖ>ᵢ Lᵀᵢₖ·Xₖ) / Lᵢᵢ, from the last row up.
    for (let i = n - 1; i >= 0; i--) {
      const rowI = i * n;
      const d = u[rowI + i];
      const tail = n - i - 1;
      let c = 0;
      for (; c + 4 <= w; c += 4) {
        const x = c * n + i + 1;
        dot4(sums, u, rowI + i + 1, panel, x, x + n, x + 2 * n, x + 3 * n, tail);
        for (let r = 0; r < 4; r++) panel[(c + r) * n + i] = (panel[(c + r) * n + i] - sums[r]) / d;
      }
      for (; c < w; c++)
        panel[c * n + i] = (panel[c * n + i] - dot(u, rowI + i + 1, panel, c * n + i + 1, tail)) / d;
    }
    for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) b[i * m + c0 + c] = panel[c * n + i];
  }
}
