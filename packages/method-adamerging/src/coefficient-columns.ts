import type { CoefficientsByTask } from './merged-weights.js';

/**
 * The coefficient columns of one history row: `lambda/<task>` for task-wise coefficients, and
 * `lambda/<task>/mean|min|max` over a task's per-parameter coefficients for layer-wise ones (a
 * ViT-B/32 has 8 × 200 of those; all of them are in coefficients.json at the end). Kept small
 * because every saved training state stores the history so far.
 */
export function coefficientColumns(byTask: CoefficientsByTask): Record<string, number> {
  const columns: Record<string, number> = {};
  for (const [task, value] of Object.entries(byTask)) {
    if (typeof value === 'number') {
      columns[`lambda/${task}`] = value;
      continue;
    }
    columns[`lambda/${task}/mean`] = value.reduce((a, b) => a + b, 0) / value.length;
    columns[`lambda/${task}/min`] = Math.min(...value);
    columns[`lambda/${task}/max`] = Math.max(...value);
  }
  return columns;
}
