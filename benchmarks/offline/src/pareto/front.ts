import type { RunReport } from '@mergebench/core';
import { hypervolume } from '@mergebench/method-pwemoe';

/** One evaluated model of a front. */
export interface ParetoPoint {
  readonly preference: readonly number[];
  readonly accuracy: Readonly<Record<string, number>>;
  readonly loss: Readonly<Record<string, number>>;
}

export interface ParetoFront {
  readonly method: string;
  readonly points: readonly ParetoPoint[];
  /** Of the per-task accuracies, from the reference point 0 accuracy on every task. */
  readonly hypervolume: number;
}

/** results/pareto/<name>.json, rendered by the HTML report. */
export interface ParetoFile {
  readonly schema: 'mergebench.pareto/1';
  readonly tasks: readonly string[];
  readonly fronts: readonly ParetoFront[];
}

/** The front of a run that returned a family: one point per member, its hypervolume over `tasks`. */
export function frontOf(method: string, report: RunReport, tasks: readonly string[]): ParetoFront {
  const family = report.family;
  if (!family || family.length === 0) throw new Error(`${method}: the run returned no family of models`);
  const points = family.map((member) => ({
    preference: member.preference,
    accuracy: Object.fromEntries(tasks.map((t) => [t, member.results.tasks[t].accuracy])),
    loss: Object.fromEntries(tasks.map((t) => [t, member.results.tasks[t].loss])),
  }));
  return {
    method,
    points,
    hypervolume: hypervolume(points.map((p) => tasks.map((t) => p.accuracy[t]))),
  };
}

/** How many points of `front` some point of `by` covers (at least as accurate on every task). */
export function coveredPoints(front: ParetoFront, by: ParetoFront, tasks: readonly string[]): number {
  return front.points.filter((p) => by.points.some((q) => tasks.every((t) => q.accuracy[t] >= p.accuracy[t])))
    .length;
}
