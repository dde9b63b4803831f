import {
  type BatchSettings,
  check,
  checkTrainingData,
  compatibleSourceKeys,
  deriveSeed,
  type Logger,
  listNames,
  MergebenchError,
  type ModelPool,
  type Module,
  meanOrFirst,
  modelWriter,
  streamMerge,
  type TaskData,
  type TaskHeads,
  trainingBatches,
  withWeights,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { type FisherEstimate, fisherDiagonal } from './fisher-diagonal.js';
import { FisherWeightedSum } from './fisher-weighted-sum.js';

const WHO = 'method fisher';

/** What Fisher merging reads besides the models: each task's training inputs and frozen head. */
export interface FisherServices {
  readonly data: TaskData;
  readonly heads: TaskHeads;
}

export interface FisherMergingOptions {
  /** Training examples per task (default 256). */
  readonly numExamples?: number;
  /** Examples per forward pass (default 32); the `batched` estimate depends on it. */
  readonly batchSize?: number;
  /** Default `batched`, as the reference (see FisherEstimate). */
  readonly estimate?: FisherEstimate;
  /** Divide each model's Fisher by its L2 norm (over all parameters) first (default true). */
  readonly normalizeFisherWeight?: boolean;
  /** m, added to every Fisher entry (default 1e-6). */
  readonly minimalFisherWeight?: number;
  /**
   * Regular expressions, matched at the start of a parameter's name as Python's re.match does
   * (FusionBench's `exclude_param_names_regex`): matching parameters get no Fisher, stay out of
   * each model's Fisher norm, and are averaged (default none).
   */
  readonly excludeParamNamesRegex?: readonly string[];
  /** Seeds the order in which each task's examples are drawn (default 0). */
  readonly seed?: number;
  readonly logger?: Logger;
}

/** What a Fisher merge did, as plain JSON (it goes into run reports). */
export interface FisherMergingReport {
  readonly estimate: FisherEstimate;
  /** Examples each model's Fisher averages over, by model. */
  readonly examples: Readonly<Record<string, number>>;
  /** The L2 norm of each model's whole Fisher. */
  readonly fisherNorms: Readonly<Record<string, number>>;
  /**
   * Each model's share of the Fisher weights (they sum to 1): equal, or ∝ 1/(norm + m) when the
   * Fisher is normalised.
   */
  readonly modelCoefficients: Readonly<Record<string, number>>;
  readonly fisherWeightedKeys: number;
  /** Keys averaged instead: parameters the objective does not reach, excluded ones, and buffers. */
  readonly averagedKeys: readonly string[];
  /** Parameters that exclude_param_names_regex kept out of the Fisher weighting and the norms. */
  readonly excludedKeys: readonly string[];
}

/** FusionBench's exclude_param_names_regex: re.match, i.e. anchored at the name's start only. */
export function excludedByRegex(patterns: readonly string[]): (name: string) => boolean {
  const compiled = patterns.map((pattern) => {
    try {
      return new RegExp(`^(?:${pattern})`, 'u');
    } catch (err) {
      throw new MergebenchError(
        `method.exclude_param_names_regex: '${pattern}' is not a valid regular expression (${(err as Error).message})`,
      );
    }
  });
  return (name) => compiled.some((re) => re.test(name));
}

async function fisherNorm(fisher: ReadonlyMap<string, tf.Tensor>): Promise<number> {
  let sumOfSquares = 0;
  for (const f of fisher.values()) {
    const s = tf.tidy(() => tf.sum(tf.square(f)));
    sumOfSquares += (await s.data())[0];
    s.dispose();
  }
  return Math.sqrt(sumOfSquares);
}

/**
 * Fisher merging of the pool's fine-tuned models: θ = Σᵢ Fᵢθᵢ / Σᵢ Fᵢ per parameter, Fᵢ the
 * diagonal Fisher of model i (fine-tuned on task i, the model's name) with task i's head, from
 * task i's training inputs. Parameters without a Fisher (buffers, parameters the objective does
 * not reach) are averaged. The result is written into the first model of the pool.
 */
export async function mergeFisher(
  pool: ModelPool,
  services: FisherServices,
  options: FisherMergingOptions = {},
): Promise<{ model: Module; report: FisherMergingReport }> {
  const { data, heads } = services;
  const { logger } = options;
  const settings: BatchSettings = {
    numExamples: options.numExamples ?? 256,
    batchSize: options.batchSize ?? 32,
  };
  const estimate = options.estimate ?? 'batched';
  const normalize = options.normalizeFisherWeight ?? true;
  const minimal = options.minimalFisherWeight ?? 1e-6;
  const excluded = excludedByRegex(options.excludeParamNamesRegex ?? []);
  check(
    Number.isFinite(minimal) && minimal > 0,
    () => `${WHO}: minimal_fisher_weight must be a positive number, got ${minimal}`,
  );
  const tasks = pool.modelNames;
  check(tasks.length > 0, `${WHO}: the model pool lists no fine-tuned models to merge`);
  checkTrainingData(data, tasks, settings, WHO, logger);
  for (const task of tasks) {
    check(
      heads.taskNames.includes(task),
      () =>
        `${WHO}: the task pool has no head for model '${task}' (its heads: ${listNames(heads.taskNames)})`,
    );
  }

  return withWeights(pool, tasks, async (sources) => {
    const keys = compatibleSourceKeys(sources);
    const sum = new FisherWeightedSum(minimal);
    const examples: Record<string, number> = {};
    const fisherNorms: Record<string, number> = {};
    const weights: number[] = [];
    const excludedKeys = new Set<string>();
    let target: Module | undefined;
    try {
      for (const task of tasks) {
        const model = await pool.loadModel(task);
        // The first model receives the merge; the others go as soon as they have been added.
        target ??= model;
        try {
          model.eval();
          const batches = trainingBatches(
            data,
            task,
            settings,
            deriveSeed(options.seed ?? 0, `fisher/${task}`),
          );
          const fisher = await fisherDiagonal(model, heads.head(task), batches, estimate);
          // Excluded parameters leave before the norm, so it covers what FusionBench's covers.
          for (const key of [...fisher.values.keys()].filter(excluded)) {
            fisher.values.get(key)!.dispose();
            fisher.values.delete(key);
            excludedKeys.add(key);
          }
          try {
            const norm = await fisherNorm(fisher.values);
            const weight = normalize ? 1 / (norm + minimal) : 1;
            sum.add(task, model.stateDict(), fisher.values, weight);
            examples[task] = fisher.examples;
            fisherNorms[task] = norm;
            weights.push(weight);
            logger?.info(
              `fisher: ${task}: Fisher from ${fisher.examples} examples (${estimate}), norm ${norm.toPrecision(4)}`,
            );
          } finally {
            tf.dispose([...fisher.values.values()]);
          }
        } finally {
          if (model !== target) model.dispose();
        }
      }

      const writer = modelWriter(target!, WHO);
      for (const key of sum.keys()) await writer.write(key, sum.merged(key));
      const averagedKeys = keys.filter((key) => !sum.has(key));
      await streamMerge({ sources, keys: averagedKeys, combine: meanOrFirst, onTensor: writer.write });
      writer.finish();
      const total = weights.reduce((a, b) => a + b, 0);
      return {
        model: target!,
        report: {
          estimate,
          examples,
          fisherNorms,
          modelCoefficients: Object.fromEntries(tasks.map((task, i) => [task, weights[i] / total])),
          fisherWeightedKeys: sum.keys().length,
          averagedKeys,
          excludedKeys: [...excludedKeys],
        },
      };
    } catch (error) {
      target?.dispose();
      throw error;
    } finally {
      sum.dispose();
    }
  });
}
