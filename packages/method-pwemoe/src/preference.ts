import { check, createRng, type Rng } from '@mergebench/core';

/** Tolerance on Σ ray = 1 for a preference vector given by a user. */
const SUM_TOLERANCE = 1e-6;

/**
 * Checks a preference vector: one finite, non-negative entry per task and not all zero.
 * Returns it normalised to sum 1 (a user may give [1, 3] for [0.25, 0.75]).
 */
export function checkPreference(ray: readonly number[], tasks: number, what: string): number[] {
  check(
    ray.length === tasks,
    () =>
      `${what}: preference vector [${ray.join(', ')}] has ${ray.length} entries, expected one per task (${tasks})`,
  );
  const bad = ray.findIndex((r) => !Number.isFinite(r) || r < 0);
  check(
    bad < 0,
    () =>
      `${what}: preference vector [${ray.join(', ')}] has entry ${bad} = ${ray[bad]}, expected a finite number ≥ 0`,
  );
  const sum = ray.reduce((a, b) => a + b, 0);
  check(
    sum > 0,
    () => `${what}: preference vector [${ray.join(', ')}] is all zeros; at least one entry must be > 0`,
  );
  return Math.abs(sum - 1) <= SUM_TOLERANCE ? [...ray] : ray.map((r) => r / sum);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through the boost Gamma(a+1)·U^(1/a). */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One sample of Dirichlet(α, …, α) over `tasks` entries, from `seed` alone (so a resumed run draws the same rays). */
export function sampleDirichlet(alpha: number, tasks: number, seed: number): number[] {
  check(Number.isFinite(alpha) && alpha > 0, () => `Dirichlet: alpha ${alpha} must be a number > 0`);
  check(Number.isInteger(tasks) && tasks >= 1, () => `Dirichlet: ${tasks} entries; at least 1 is needed`);
  const rng = createRng(seed);
  const draws = Array.from({ length: tasks }, () => gamma(alpha, rng));
  const sum = draws.reduce((a, b) => a + b, 0);
  return draws.map((g) => g / sum);
}

/**
 * The preference vectors a family is evaluated on: for 2 or 3 tasks every point of the simplex
 * whose entries are multiples of 1/(points − 1) (11 points per edge: 11 vectors for 2 tasks, 66
 * for 3); for more tasks, equal weights and then each one-hot vector.
 */
export function preferenceGrid(tasks: number, points: number): number[][] {
  check(Number.isInteger(tasks) && tasks >= 1, () => `preference grid: ${tasks} tasks; at least 1 is needed`);
  check(
    Number.isInteger(points) && points >= 2,
    () => `preference grid: ${points} points per edge; at least 2 are needed`,
  );
  if (tasks === 1) return [[1]];
  if (tasks > 3) {
    const equal = Array.from({ length: tasks }, () => 1 / tasks);
    const oneHots = Array.from({ length: tasks }, (_, i) =>
      Array.from({ length: tasks }, (_, j) => (i === j ? 1 : 0)),
    );
    return [equal, ...oneHots];
  }
  const steps = points - 1;
  const grid: number[][] = [];
  const fill = (prefix: number[], left: number) => {
    if (prefix.length === tasks - 1) {
      grid.push([...prefix, left].map((k) => k / steps));
      return;
    }
    for (let k = left; k >= 0; k--) fill([...prefix, k], left - k);
  };
  fill([], steps);
  return grid;
}

/** A preference vector as a short label: [0.3, 0.7] → "0.3,0.7". */
export function preferenceLabel(ray: readonly number[]): string {
  return ray.map((r) => Number(r.toFixed(4)).toString()).join(',');
}
