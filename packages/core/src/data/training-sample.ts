// A sample of each task's training split, as methods that read data (Fisher, RegMean) take it.
import type { Logger } from '../contracts/logger.js';
import type { Batch, TaskData } from '../contracts/task-pool.js';
import { check, listNames } from '../errors.js';

export interface BatchSettings {
  /** Training examples per task. */
  readonly numExamples: number;
  readonly batchSize: number;
}

/**
 * Checks, before any model is loaded, that the sample sizes are positive integers and the task
 * data has a training split for every model
 * (a model is named after the task it was fine-tuned on), and says when a task has fewer
 * examples than asked for (all of them are used then).
 */
export function checkTrainingData(
  data: TaskData,
  tasks: readonly string[],
  settings: BatchSettings,
  who: string,
  logger?: Logger,
): void {
  for (const [name, value] of [
    ['num_examples', settings.numExamples],
    ['batch_size', settings.batchSize],
  ] as const) {
    check(
      Number.isInteger(value) && value >= 1,
      () => `${who}: ${name} must be a positive integer, got ${value}`,
    );
  }
  for (const task of tasks) {
    check(
      data.taskNames.includes(task),
      () =>
        `${who}: the task pool has no data for model '${task}' (models are named after their tasks; its tasks: ${listNames(data.taskNames)})`,
    );
    const size = data.size(task, 'train');
    check(size > 0, () => `${who}: task '${task}' has no training examples`);
    if (size < settings.numExamples) {
      logger?.warn(
        `${who}: task '${task}' has ${size} training examples, fewer than num_examples = ${settings.numExamples}; using all of them`,
      );
    }
  }
}

/** The first `numExamples` training inputs of a task in a seeded order (labels left out). */
export function trainingBatches(
  data: TaskData,
  task: string,
  settings: BatchSettings,
  shuffleSeed: number,
): AsyncIterable<Batch> {
  return data.batches(task, 'train', {
    batchSize: settings.batchSize,
    shuffleSeed,
    limit: settings.numExamples,
    unlabelled: true,
  });
}
