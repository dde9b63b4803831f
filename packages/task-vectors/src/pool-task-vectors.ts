import {
  assertHasModels,
  check,
  listNames,
  type ModelPool,
  type Module,
  type PoolMergeOptions,
  PRETRAINED,
  stateDictSource,
  withWeights,
  writeInto,
} from '@mergebench/core';
import type { TaskVectorMergeRules } from './merge-rules.js';
import { mergeTaskVectors, type TaskVectorMergeReport } from './task-vector-merge.js';

/**
 * θ₀ + λ·merged task vectors of every model of the pool, written into the pool's pretrained
 * model, whose variables also serve as θ₀ while they are read.
 */
export async function mergePoolTaskVectors(
  pool: ModelPool,
  rules: TaskVectorMergeRules,
  options: PoolMergeOptions,
): Promise<{ model: Module; report: TaskVectorMergeReport }> {
  const { what } = options;
  assertHasModels(pool, what);
  check(
    pool.hasPretrained,
    `${what}: the model pool has no ${PRETRAINED} model, which the task vectors θᵢ − θ₀ are taken from`,
  );
  const model = await pool.loadModel(PRETRAINED);
  const report = await writeInto(model, what, (writer) =>
    withWeights(pool, pool.modelNames, (sources) =>
      mergeTaskVectors({
        ...rules,
        sources,
        pretrained: stateDictSource(model.stateDict(), PRETRAINED),
        onTensor: writer.write,
        excludeKeysName: options.excludeKeysName,
      }),
    ),
  );
  if (report.unmatchedExcludePatterns.length > 0) {
    options.logger?.warn(
      `${what}: ${options.excludeKeysName ?? 'exclude_keys'} has patterns that match no parameter of the model: ${listNames(report.unmatchedExcludePatterns)}`,
    );
  }
  return { model, report };
}
