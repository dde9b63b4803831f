import {
  type BatchSettings,
  check,
  checkTrainingData,
  compatibleSourceKeys,
  deriveSeed,
  Linear,
  type Logger,
  MergebenchError,
  type ModelPool,
  type Module,
  meanOrFirst,
  meanTensors,
  modelWriter,
  readAll,
  streamMerge,
  type TaskData,
  trainingBatches,
  withWeights,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { captureGramMatrices } from './gram-matrices.js';
import { RegMeanSums, weightKey } from './regmean-sums.js';

const WHO = 'method regmean';

export interface RegMeanOptions {
  /** Training examples per task (default 256). */
  readonly numExamples?: number;
  /** Examples per forward pass (default 32). */
  readonly batchSize?: number;
  /** α: off-diagonal Gram entries are multiplied by it, in [0, 1] (default 0.95). */
  readonly reduceNonDiagonalRatio?: number;
  /** Seeds the order in which each task's examples are drawn (default 0). */
  readonly seed?: number;
  readonly logger?: Logger;
}

/** A layer whose summed Gram matrix was singular and was solved with a ridge. */
export interface RegularisedLayer {
  readonly layer: string;
  readonly ridge: number;
  /** The input feature whose pivot failed first. */
  readonly singularColumn: number;
}

/** What a RegMean merge did, as plain JSON (it goes into run reports). */
export interface RegMeanReport {
  /** Examples each model's Gram matrices were taken over, by model. */
  readonly examples: Readonly<Record<string, number>>;
  /** Linear layers merged by RegMean. */
  readonly regmeanLayers: number;
  /** Keys averaged instead: biases, norms, embeddings, Linear layers the forward pass does not reach. */
  readonly averagedKeys: number;
  /** Layers whose system was singular and solved with the ridge fallback. */
  readonly regularised: readonly RegularisedLayer[];
  /** Wall seconds spent factoring and solving. */
  readonly solveSeconds: number;
}

/**
 * RegMean of the pool's fine-tuned models: every Linear layer's weight is the least-squares merge
 * W = (Σᵢ Gᵢ)⁻¹ Σᵢ Gᵢ Wᵢ (in [in, out] layout), Gᵢ the Gram matrix of the layer's inputs in
 * model i (fine-tuned on task i, the model's name) over task i's training inputs, with the
 * off-diagonal entries scaled by α. All other parameters are averaged. The result is written
 * into the first model of the pool.
 */
export async function mergeRegMean(
  pool: ModelPool,
  data: TaskData,
  options: RegMeanOptions = {},
): Promise<{ model: Module; report: RegMeanReport }> {
  const { logger } = options;
  const settings: BatchSettings = {
    numExamples: options.numExamples ?? 256,
    batchSize: options.batchSize ?? 32,
  };
  const ratio = options.reduceNonDiagonalRatio ?? 0.95;
  check(
    ratio >= 0 && ratio <= 1,
    () => `${WHO}: reduce_non_diagonal_ratio must be a number in [0, 1], got ${ratio}`,
  );
  const tasks = pool.modelNames;
  check(tasks.length > 0, `${WHO}: the model pool lists no fine-tuned models to merge`);
  checkTrainingData(data, tasks, settings, WHO, logger);

  return withWeights(pool, tasks, async (sources) => {
    const keys = compatibleSourceKeys(sources);
    const sums = new RegMeanSums(ratio);
    const examples: Record<string, number> = {};
    let target: Module | undefined;
    try {
      for (const task of tasks) {
        const model = await pool.loadModel(task);
        // The first model receives the merge; the others go as soon as they have been added.
        target ??= model;
        try {
          check(
            [...model.namedModules().values()].some((module) => module instanceof Linear),
            () => `${WHO}: model '${task}' has no Linear layers, which is what RegMean merges`,
          );
          model.eval();
          const batches = trainingBatches(
            data,
            task,
            settings,
            deriveSeed(options.seed ?? 0, `regmean/${task}`),
          );
          const { grams, examples: n } = await captureGramMatrices(model, batches);
          try {
            sums.add(task, model, grams);
          } finally {
            tf.dispose([...grams.values()]);
          }
          examples[task] = n;
          logger?.info(`regmean: ${task}: Gram matrices of ${grams.size} Linear layers from ${n} examples`);
        } finally {
          if (model !== target) model.dispose();
        }
      }

      const writer = modelWriter(target!, WHO);
      const regularised: RegularisedLayer[] = [];
      const started = performance.now();
      for (const layer of sums.layers()) {
        const key = weightKey(layer);
        const average = async () => {
          const tensors = await readAll(sources, key);
          try {
            return meanTensors(tensors);
          } finally {
            tf.dispose(tensors);
          }
        };
        const merged = await sums.solve(layer, average);
        if (!merged) {
          throw new MergebenchError(
            `${WHO}: the Gram matrix of layer '${layer}' is not finite (NaN or infinite inputs in the forward pass)`,
          );
        }
        if (merged.ridge > 0) {
          const singularColumn = merged.singularColumn!;
          regularised.push({ layer, ridge: merged.ridge, singularColumn });
          logger?.warn(
            `${WHO}: the Gram matrix of layer '${layer}' is singular (input feature ${singularColumn}); solved with a ridge ε = ${merged.ridge.toPrecision(3)} towards the plain average`,
          );
        }
        await writer.write(key, merged.weight);
      }
      const solveSeconds = (performance.now() - started) / 1000;
      const solvedKeys = new Set(sums.layers().map(weightKey));
      const averagedKeys = keys.filter((key) => !solvedKeys.has(key));
      await streamMerge({ sources, keys: averagedKeys, combine: meanOrFirst, onTensor: writer.write });
      writer.finish();
      logger?.info(`regmean: solved ${solvedKeys.size} Linear layers in ${solveSeconds.toFixed(2)} s`);
      return {
        model: target!,
        report: {
          examples,
          regmeanLayers: solvedKeys.size,
          averagedKeys: averagedKeys.length,
          regularised,
          solveSeconds,
        },
      };
    } catch (error) {
      target?.dispose();
      throw error;
    } finally {
      sums.dispose();
    }
  });
}
