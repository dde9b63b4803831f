import type { FamilyMemberReport } from '../contracts/report.js';
import type { TaskPoolResult } from '../contracts/task-pool.js';
import { MergebenchError } from '../errors.js';

function check(results: TaskPoolResult, where: string): void {
  for (const [task, metrics] of Object.entries(results.tasks)) {
    if (!Number.isFinite(metrics.loss) || !Number.isFinite(metrics.accuracy)) {
      throw new MergebenchError(
        `evaluation${where}: task '${task}' has loss ${metrics.loss} and accuracy ${metrics.accuracy}; the model computes non-finite values, so no report is written`,
      );
    }
  }
}

/**
 * Fails the run when an evaluation produced a NaN or infinite metric: JSON would write it as
 * null and the report would look like a result.
 */
export function checkFiniteResults(
  results: TaskPoolResult | null,
  family: readonly FamilyMemberReport[] | undefined,
): void {
  if (results) check(results, '');
  for (const member of family ?? []) check(member.results, ` of family member ${member.label}`);
}
