import { join } from 'node:path';
import {
  check,
  deriveSeed,
  listNames,
  type Method,
  type MethodContext,
  type MethodResult,
  type ModelPool,
  PRETRAINED,
  resolveService,
  runTrainingState,
  TOKENS,
  type TrainingStateSettings,
  writeHistoryCsv,
} from '@mergebench/core';
import { type OptimizerSettings, trainEncoder } from './train-encoder.js';

/** How a fine-tuning run is set up (the components' parameters, validated). */
export interface FinetuneSettings extends TrainingStateSettings {
  /** The component's name: prefixes messages and names the run's saved training state and history. */
  readonly name: string;
  /** The tasks to train on, chosen among the task pool's (e.g. one named task, or all). */
  readonly selectTasks: (available: readonly string[]) => readonly string[];
  /** The model pool's model to start from. */
  readonly startModel: string;
  readonly optimizer: OptimizerSettings;
}

/**
 * Supervised training of a model pool's encoder on labelled training data of one or more tasks,
 * with the task pool's heads frozen; returns the trained encoder. With one task this makes a
 * fine-tuned model of a zoo, with several a multi-task (or pretrained) model.
 */
export class FinetuneMethod implements Method {
  constructor(private readonly settings: FinetuneSettings) {}

  async run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult> {
    const { name, startModel } = this.settings;
    const data = resolveService(ctx.container, TOKENS.taskData, `method ${name}`);
    const heads = resolveService(ctx.container, TOKENS.taskHeads, `method ${name}`);
    const tasks = this.settings.selectTasks(data.taskNames);
    for (const task of tasks) {
      check(
        data.taskNames.includes(task),
        () => `method ${name}: unknown task '${task}'; the task pool has ${listNames(data.taskNames)}`,
      );
      check(
        heads.taskNames.includes(task),
        () => `method ${name}: the task pool has no head for task '${task}'`,
      );
    }
    const known =
      startModel === PRETRAINED ? modelpool.hasPretrained : modelpool.modelNames.includes(startModel);
    check(known, () => {
      const names = [...(modelpool.hasPretrained ? [PRETRAINED] : []), ...modelpool.modelNames];
      return `method.model: the model pool has no model '${startModel}'; it has ${listNames(names)}`;
    });

    ctx.logger.info(
      `${name}: training ${startModel} on ${tasks.join(', ')} for ${this.settings.optimizer.steps} steps`,
    );
    const model = await modelpool.loadModel(startModel);
    try {
      const result = await trainEncoder(model, {
        ...this.settings.optimizer,
        tasks,
        data,
        heads,
        seed: deriveSeed(ctx.seed, `${name}/batches`),
        trainingState: runTrainingState(ctx, name, this.settings),
        logger: ctx.logger,
      });
      const historyFile = `${name}-history.csv`;
      await writeHistoryCsv(join(ctx.runDir, historyFile), result.history);
      const last = result.history.at(-1);
      return {
        kind: 'model',
        model,
        artifacts: {
          tasks,
          start_model: startModel,
          steps: this.settings.optimizer.steps,
          resumed_from: result.resumedFrom,
          final_loss: last?.loss ?? null,
          final_task_losses: last?.taskLosses ?? null,
          history: historyFile,
        },
      };
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
}
