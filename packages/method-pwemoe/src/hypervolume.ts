import { check } from '@mergebench/core';

/** Whether a is at least b in every objective (maximisation). */
function covers(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, i) => v >= b[i]);
}

/** The points no other point covers (duplicates kept once). */
function nonDominated(points: readonly (readonly number[])[]): (readonly number[])[] {
  const kept: (readonly number[])[] = [];
  points.forEach((p, i) => {
    const dominated = points.some((q, j) => j !== i && covers(q, p) && (!covers(p, q) || j < i));
    if (!dominated) kept.push(p);
  });
  return kept;
}

/** Hypervolume of points ≥ 0 w.r.t. the origin, by slicing along the last objective (HSO). */
function slice(points: readonly (readonly number[])[]): number {
  const d = points[0].length;
  if (d === 1) return Math.max(...points.map((p) => p[0]));
  const sorted = [...nonDominated(points)].sort((p, q) => q[d - 1] - p[d - 1]);
  let volume = 0;
  for (let k = 0; k < sorted.length; k++) {
    const top = sorted[k][d - 1];
    const bottom = k + 1 < sorted.length ? sorted[k + 1][d - 1] : 0;
    if (top > bottom) volume += (top - bottom) * slice(sorted.slice(0, k + 1).map((p) => p.slice(0, d - 1)));
  }
  return volume;
}

/**
 * The exact hypervolume of a front of points to maximise (e.g. per-task accuracies), measured
 * from the reference point `reference` (default: the origin, i.e. 0 accuracy on every task): the
 * volume of the union of the boxes [reference, p]. Points not above the reference in every
 * objective add nothing. Exact in any dimension (slicing objective by objective, dominated
 * points dropped at every level); meant for the tens of points of a preference grid.
 */
export function hypervolume(points: readonly (readonly number[])[], reference?: readonly number[]): number {
  if (points.length === 0) return 0;
  const d = points[0].length;
  check(d >= 1, 'hypervolume: points need at least one objective');
  check(
    points.every((p) => p.length === d && p.every(Number.isFinite)),
    () => `hypervolume: every point must have ${d} finite objectives`,
  );
  const ref = reference ?? new Array<number>(d).fill(0);
  check(
    ref.length === d,
    () => `hypervolume: reference point of ${ref.length} objectives for points of ${d}`,
  );
  const shifted = points.filter((p) => p.every((v, i) => v > ref[i])).map((p) => p.map((v, i) => v - ref[i]));
  return shifted.length === 0 ? 0 : slice(shifted);
}
