import { join } from 'node:path';
import {
  Adam,
  type AdaptationServices,
  adaptationServices,
  check,
  HISTORY_FILE,
  listNames,
  type Method,
  type MethodContext,
  type MethodResult,
  type ModelPool,
  type Module,
  methodLoopOptions,
  type Optimizer,
  PRETRAINED,
  runAdaptation,
  summarizeHistory,
  type TrainingResult,
  writeHistoryCsv,
} from '@mergebench/core';
import { CollapseWatch, keyPatterns } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';
import { ClampedOptimizer } from './clamped-optimizer.js';
import { coefficientColumns } from './coefficient-columns.js';
import { COEFFICIENTS_FILE, readCoefficientsFile, writeCoefficientsFile } from './coefficients-file.js';
import { type Granularity, MergedWeights } from './merged-weights.js';
import {
  MERGING_WEIGHTS_FILE,
  readMergingWeightsFile,
  writeMergingWeightsFile,
} from './merging-weights-file.js';
import type { AdaMergingSettings } from './params.js';
import { TaskVectors } from './task-vectors.js';

const mebibytes = (bytes: number) => (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1);

/**
 * AdaMerging (Yang et al., ICLR 2024): θ = θ₀ + Σᵢ λᵢ τᵢ with λ learned by minimising the
 * prediction entropy of every task's frozen head on unlabelled test batches, one batch of each
 * task per step; one λ per task (task-wise) or per task and parameter tensor (layer-wise). The
 * tasks are the model pool's fine-tuned models, whose names the task pool must know.
 */
export class AdaMergingMethod implements Method {
  constructor(
    /** The component's name: prefixes messages and names the folder of its saved training state. */
    readonly name: string,
    readonly granularity: Granularity,
    readonly settings: AdaMergingSettings,
  ) {}

  async run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult> {
    const { name, settings } = this;
    const tasks = modelpool.modelNames;
    check(tasks.length > 0, `method ${name}: the model pool has no fine-tuned models to merge`);
    check(
      modelpool.hasPretrained,
      () =>
        `method ${name}: the model pool has no ${PRETRAINED} model, which the task vectors are measured from (it has ${listNames(tasks)})`,
    );
    const layerWise = this.granularity === 'layer-wise';
    check(
      settings.mergingWeightsFile === null || layerWise,
      () => `method ${name}: merging_weights holds layer-wise coefficients; use method.coefficients here`,
    );
    const given = settings.coefficientsFile ?? settings.mergingWeightsFile;
    const services = given === null ? adaptationServices(ctx.container, tasks, `method ${name}`) : undefined;
    const excluded = keyPatterns(settings.excludeKeys, 'method.exclude_keys');

    const model = await modelpool.loadModel(PRETRAINED);
    let weights: MergedWeights | undefined;
    try {
      model.eval();
      const all = model.namedParameters();
      const unmatched = excluded.unmatched([...all.keys()]);
      if (unmatched.length > 0) {
        ctx.logger.warn(
          `method ${name}: exclude_keys has patterns that match no parameter: ${listNames(unmatched)}`,
        );
      }
      // Integer parameters are not merged, as in the reference (buffers are not parameters at all).
      const merged = [...all].filter(([key, p]) => p.dtype === 'float32' && !excluded.matches(key));
      check(merged.length > 0, () => `method ${name}: exclude_keys leaves no parameter to merge`);
      const taskVectors = await TaskVectors.fromPool(modelpool, tasks, new Map(merged));
      weights = new MergedWeights(model, taskVectors, this.granularity, settings.initLambda);
      const [rows, columns] = weights.coefficients.shape;
      ctx.logger.info(
        `${name}: ${rows}×${columns} coefficients over ${merged.length} parameters ` +
          `(${mebibytes(taskVectors.byteLength)} MiB of task vectors)`,
      );

      let training: TrainingResult | undefined;
      let absent: readonly string[] = [];
      if (services) {
        training = await this.adapt(weights, services, ctx);
      } else if (settings.mergingWeightsFile !== null) {
        const file = settings.mergingWeightsFile;
        const read = await readMergingWeightsFile(file, {
          tasks,
          parameterNames: weights.keys,
          isZero: (key) => taskVectors.isZero(key),
        });
        weights.setCoefficients(read.coefficients);
        absent = read.absent;
        ctx.logger.info(
          `${name}: merging with the merging weights of ${file}` +
            (absent.length > 0 ? ` (no column for ${listNames(absent)}: zero task vectors, λ = 0)` : ''),
        );
      } else {
        const layout = { granularity: this.granularity, tasks, parameterNames: weights.keys };
        weights.setCoefficients(await readCoefficientsFile(settings.coefficientsFile!, layout));
        ctx.logger.info(`${name}: merging with the coefficients of ${settings.coefficientsFile}`);
      }
      const coefficients = weights.coefficientsByTask();
      const steps = training?.history.length ?? 0;
      weights.writeIntoModel();
      await writeCoefficientsFile(join(ctx.runDir, COEFFICIENTS_FILE), {
        granularity: this.granularity,
        parameterNames: weights.keys,
        coefficients,
        steps,
      });
      // By name, for FusionBench (tools/reference/adamerging_merging_weights.py makes its .pt).
      if (layerWise) {
        await writeMergingWeightsFile(join(ctx.runDir, MERGING_WEIGHTS_FILE), {
          tasks,
          parameterNames: weights.keys,
          coefficients,
        });
      }
      if (training) await writeHistoryCsv(join(ctx.runDir, HISTORY_FILE), training.history);
      return {
        kind: 'model',
        model,
        artifacts: {
          granularity: this.granularity,
          coefficients,
          parameterNames: weights.keys,
          steps,
          finalLoss: training?.history.at(-1)?.loss ?? null,
          history: training ? summarizeHistory(training.history, training.resumedFrom) : null,
          coefficientsFile: COEFFICIENTS_FILE,
          coefficientsFrom: settings.coefficientsFile,
          mergingWeightsFile: layerWise ? MERGING_WEIGHTS_FILE : null,
          mergingWeightsFrom: settings.mergingWeightsFile,
          mergingWeightsAbsent: absent,
        },
      };
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      weights?.dispose();
    }
  }

  private async adapt(weights: MergedWeights, { data, heads }: AdaptationServices, ctx: MethodContext) {
    const { name, settings } = this;
    const adam = new Adam([weights.coefficients], { lr: settings.lr });
    const optimizer: Optimizer = settings.clamp ? new ClampedOptimizer(adam) : adam;
    const byTask = new Map<string, Module>(weights.tasks.map((task) => [task, heads.head(task)]));
    const watch = new CollapseWatch(weights.tasks, { name, logger: ctx.logger, ...settings.collapse });
    try {
      return await runAdaptation({
        tasks: weights.tasks,
        data,
        variables: new Map([['coefficients', weights.coefficients]]),
        optimizer,
        ...methodLoopOptions(ctx, name, settings),
        lossForTask: (task, inputs) =>
          tf.tidy(() => watch.entropy(task, weights.logits(byTask.get(task)!, inputs))),
        recordExtra: (step) => ({
          ...coefficientColumns(weights.coefficientsByTask()),
          ...watch.endStep(step),
        }),
      });
    } finally {
      optimizer.dispose();
    }
  }
}
