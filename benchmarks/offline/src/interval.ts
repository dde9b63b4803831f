/** The normal quantile of a two-sided 95% interval, rounded as it is usually quoted. */
export const Z95 = 1.96;

/** One task's accuracy (a proportion) and the number of test examples it was measured on. */
export interface MeasuredAccuracy {
  readonly accuracy: number;
  readonly count: number;
}

/**
 * Half the width of the 95% interval of the average of T task accuracies, each a binomial
 * proportion p_i on its own test split of n_i examples: the splits are independent, so the
 * average's variance is Σ p_i(1−p_i)/n_i over T², and the interval is ±1.96 standard errors
 * (the normal approximation). It covers the test sets' sampling only, not training seeds.
 * NaN when a task has no accuracy or no examples: no interval is better than a wrong one.
 */
export function averageHalfWidth95(tasks: readonly MeasuredAccuracy[]): number {
  if (tasks.length === 0) return Number.NaN;
  let variance = 0;
  for (const { accuracy: p, count: n } of tasks) {
    if (!Number.isFinite(p) || p < 0 || p > 1 || !Number.isFinite(n) || n <= 0) return Number.NaN;
    variance += (p * (1 - p)) / n;
  }
  return (Z95 * Math.sqrt(variance)) / tasks.length;
}
