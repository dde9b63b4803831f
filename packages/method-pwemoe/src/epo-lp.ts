import { check } from '@mergebench/core';
import highsModule from 'highs';

/** Non-uniformity μ of the weighted losses above which EPO balances rather than descends (the reference's eps). */
export const EPO_EPSILON = 1e-4;

/** Which of EPO's two linear programs a step solved. */
export type EpoMove = 'balance' | 'descent';

export interface EpoSolution {
  /** α on the simplex: the combination weights of the task gradients (before the reference's ·T). */
  readonly alpha: readonly number[];
  readonly move: EpoMove;
  /** True when the LP had no solution (or its data was not finite) and α = ray/Σray was used instead. */
  readonly fellBack: boolean;
  /** HiGHS's model status, or why the LP was not solved. */
  readonly status: string;
  /** μ(r⊙l): the Kullback–Leibler non-uniformity of the normalised weighted losses. */
  readonly nonUniformity: number;
}

type LoadHighs = typeof highsModule.default;
type Highs = Awaited<ReturnType<LoadHighs>>;
// The package's types declare a CommonJS module whose `default` is the loader, while Node's ESM
// entry exports the loader itself as default: accept either shape.
const loadHighs: LoadHighs =
  (highsModule as unknown as { default?: LoadHighs }).default ?? (highsModule as unknown as LoadHighs);
let highs: Promise<Highs> | undefined;

/** HiGHS compiled to WebAssembly, loaded once. */
function solver(): Promise<Highs> {
  highs ??= loadHighs();
  return highs;
}

/**
 * EPO's adjustments (Mahapatra & Rajan 2020, eq. 8): with l̂ = r⊙l / Σ r⊙l and
 * μ = Σ l̂ log(m·l̂) (over entries l̂ > machine epsilon), a = r ⊙ (log(m·l̂) − μ).
 */
export function epoAdjustments(losses: readonly number[], ray: readonly number[]) {
  const m = losses.length;
  const rl = losses.map((l, i) => l * ray[i]);
  const total = rl.reduce((s, v) => s + v, 0);
  const lHat = rl.map((v) => v / total);
  const mu = lHat.reduce((s, v) => (v > Number.EPSILON ? s + v * Math.log(v * m) : s), 0);
  const a = lHat.map((v, i) => ray[i] * (Math.log(v * m) - mu));
  return { rl, mu, a };
}

/** "+ 1.5 a0 - 2 a1": a linear expression in CPLEX LP format. */
function expression(coefficients: readonly number[]): string {
  return coefficients.map((c, i) => `${c < 0 ? '-' : '+'} ${Math.abs(c)} a${i}`).join(' ');
}

/**
 * EPO's linear program for one step, as in the reference's ExactParetoLP (from the EPOSearch
 * code): with C the Gram matrix of the task gradients and a the adjustments,
 * - balance (μ > ε): maximise αᵀCa s.t. α ∈ simplex, (Cα)ⱼ ≥ (Ca)ⱼ for j with (Ca)ⱼ ≤ 0,
 *   (Cα)ⱼ ≥ 0 for the tasks of largest r⊙l (or Cα ≥ 0 when no (Ca)ⱼ > 0);
 * - descent (μ ≤ ε): maximise 1ᵀCα s.t. α ∈ simplex, αᵀCa ≥ min(max Ca, 0), Cα ≥ 0.
 * Solved by HiGHS. An infeasible LP, or losses and gradients that make the data non-finite,
 * give the reference's fall-back α = ray/Σray.
 */
export async function epoWeights(
  losses: readonly number[],
  gram: readonly (readonly number[])[],
  ray: readonly number[],
  epsilon = EPO_EPSILON,
): Promise<EpoSolution> {
  const m = losses.length;
  check(m >= 2, () => `EPO: ${m} task; EPO needs at least 2 tasks (use linear scalarization for one)`);
  check(ray.length === m, () => `EPO: preference vector of ${ray.length} entries for ${m} losses`);
  check(
    gram.length === m && gram.every((row) => row.length === m),
    () => `EPO: the Gram matrix must be ${m}×${m}`,
  );
  const raySum = ray.reduce((s, v) => s + v, 0);
  const fallback = (status: string, move: EpoMove, nonUniformity: number): EpoSolution => ({
    alpha: ray.map((r) => r / raySum),
    move,
    fellBack: true,
    status,
    nonUniformity,
  });
  const { rl, mu, a } = epoAdjustments(losses, ray);
  const move: EpoMove = mu > epsilon ? 'balance' : 'descent';
  // HiGHS drops matrix entries below 1e-9, and Gram entries of small gradients are that small:
  // every row and the objective scale by one positive factor, which leaves the optimum unchanged.
  const scale = Math.max(...gram.flat().map(Math.abs));
  if (!(Number.isFinite(scale) && scale > 0) || !a.every(Number.isFinite) || !Number.isFinite(mu)) {
    return fallback('non-finite or zero data', move, mu);
  }
  const C = gram.map((row) => row.map((v) => v / scale));
  const Ca = C.map((row) => row.reduce((s, v, j) => s + v * a[j], 0));

  const rows: string[] = [` s: ${expression(new Array(m).fill(1))} = 1`];
  let objective: number[];
  if (move === 'balance') {
    objective = Ca;
    const anyPositive = Ca.some((v) => v > 0);
    const maxRl = Math.max(...rl);
    for (let j = 0; j < m; j++) {
      // (Ca)ⱼ > 0 leaves row j free (the reference's −inf), except for the tasks of largest r⊙l.
      let rhs = anyPositive ? Ca[j] : 0;
      if (anyPositive && Ca[j] > 0) rhs = Number.NEGATIVE_INFINITY;
      if (anyPositive && rl[j] === maxRl) rhs = 0;
      if (rhs !== Number.NEGATIVE_INFINITY) rows.push(` c${j}: ${expression(C[j])} >= ${rhs}`);
    }
  } else {
    objective = C[0].map((_, j) => C.reduce((s, row) => s + row[j], 0));
    rows.push(` d: ${expression(Ca)} >= ${Math.min(Math.max(...Ca), 0)}`);
    for (let j = 0; j < m; j++) rows.push(` c${j}: ${expression(C[j])} >= 0`);
  }
  const bounds = Array.from({ length: m }, (_, i) => ` a${i} >= 0`);
  const problem = [
    'Maximize',
    ` obj: ${expression(objective)}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'End',
  ].join('\n');
  const result = (await solver()).solve(problem, { output_flag: false });
  if (result.Status !== 'Optimal') return fallback(result.Status, move, mu);
  const alpha = Array.from({ length: m }, (_, i) => Math.max(0, result.Columns[`a${i}`]!.Primal ?? 0));
  return { alpha, move, fellBack: false, status: result.Status, nonUniformity: mu };
}

/** The Gram matrix GGᵀ of flattened task gradients (one Float32Array per task), in float64. */
export function gramMatrix(gradients: readonly Float32Array[]): number[][] {
  return gradients.map((gi) =>
    gradients.map((gj) => {
      let dot = 0;
      for (let k = 0; k < gi.length; k++) dot += gi[k] * gj[k];
      return dot;
    }),
  );
}
