/**
 * Merges over a model pool, the way the method packages run: sources are opened with
 * `openWeights` and read key by key, and the result is written into one loaded model in place.
 */
import type { Logger } from '../contracts/logger.js';
import { type ModelPool, PRETRAINED } from '../contracts/model-pool.js';
import { check, listNames } from '../errors.js';
import type { Module } from '../nn/module.js';
import { stateDictSource } from '../tensors/source.js';
import type { TensorSource } from '../tensors/types.js';
import type { TaskVectorMergeRules } from './merge-rules.js';
import { type ModelWriter, modelWriter } from './model-writer.js';
import { mergeTaskVectors, type TaskVectorMergeReport } from './task-vector-merge.js';
import { weightedAverage } from './weighted-average.js';

export interface PoolMergeOptions {
  /** Names the merge in errors, e.g. `method ties`. */
  readonly what: string;
  /** Names the exclude patterns in errors, e.g. `method.exclude_keys`. */
  readonly excludeKeysName?: string;
  /** Told about exclude patterns that match nothing. */
  readonly logger?: Logger;
}

/** Opens the named models' weights, runs `use`, and closes them whatever happens. */
export async function withWeights<T>(
  pool: ModelPool,
  names: readonly string[],
  use: (sources: TensorSource[]) => Promise<T>,
): Promise<T> {
  const sources: TensorSource[] = [];
  try {
    for (const name of names) sources.push(await pool.openWeights(name));
    return await use(sources);
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}

/** Writes a merge into `model`, checking that it covers every key; disposes the model if that fails. */
async function writeInto<T>(
  model: Module,
  what: string,
  merge: (writer: ModelWriter) => Promise<T>,
): Promise<T> {
  try {
    const writer = modelWriter(model, what);
    const result = await merge(writer);
    writer.finish();
    return result;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function assertHasModels(pool: ModelPool, what: string): void {
  check(pool.modelNames.length > 0, `${what}: the model pool lists no fine-tuned models to merge`);
}

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

/**
 * The average of the pool's fine-tuned models (`weights`: one coefficient per model in pool
 * order, used as given; none: the plain mean), written into the first model.
 */
export async function averagePool(
  pool: ModelPool,
  weights: readonly number[] | undefined,
  options: PoolMergeOptions,
): Promise<Module> {
  assertHasModels(pool, options.what);
  const model = await pool.loadModel(pool.modelNames[0]);
  await writeInto(model, options.what, (writer) =>
    withWeights(pool, pool.modelNames, (sources) =>
      weightedAverage({ sources, weights, onTensor: writer.write }),
    ),
  );
  return model;
}
