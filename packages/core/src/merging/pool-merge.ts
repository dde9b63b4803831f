/**
 * Merges over a model pool, the way the method packages run: sources are opened with
 * `openWeights` and read key by key, and the result is written into one loaded model in place.
 */
import type { Logger } from '../contracts/logger.js';
import type { ModelPool } from '../contracts/model-pool.js';
import { check } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { TensorSource } from '../tensors/types.js';
import { type ModelWriter, modelWriter } from './model-writer.js';
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
export async function writeInto<T>(
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

/** Fails unless the pool lists at least one fine-tuned model. */
export function assertHasModels(pool: ModelPool, what: string): void {
  check(pool.modelNames.length > 0, `${what}: the model pool lists no fine-tuned models to merge`);
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
