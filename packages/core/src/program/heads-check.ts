import type { DependencyContainer } from 'tsyringe';
import type { ModelPool } from '../contracts/model-pool.js';
import { hasService, resolveService, TOKENS } from '../di/tokens.js';
import { MergebenchError } from '../errors.js';

/**
 * Checks, before any work, that every task's head reads features as wide as the model pool's
 * models output, where both say: a mismatch would otherwise surface as a shape error in the
 * first forward pass, after the method ran and the merged model was saved.
 */
export function checkHeadsFit(container: DependencyContainer, modelpool: ModelPool): void {
  const width = modelpool.featureDim;
  if (width === undefined || !hasService(container, TOKENS.taskHeads)) return;
  const heads = resolveService(container, TOKENS.taskHeads);
  if (!heads.featureDimOf) return;
  for (const task of heads.taskNames) {
    const reads = heads.featureDimOf(task);
    if (reads !== width) {
      throw new MergebenchError(
        `${heads.source ?? 'task heads'}: the head of task '${task}' reads ${reads} features, but the model pool's models output ${width}`,
      );
    }
  }
}
