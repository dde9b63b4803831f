import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../contracts/task-pool.js';
import { type LoopOptions, runTrainingLoop, type TrainingResult } from './training-loop.js';

export interface AdaptationOptions extends LoopOptions {
  /**
   * The loss of one task on a batch of inputs, e.g. entropyLoss of the task head's logits.
   * `labels` is present only when `unlabelled` is false.
   */
  readonly lossForTask: (task: string, inputs: tf.Tensor, labels?: tf.Tensor1D) => tf.Scalar;
  /** Default 'test': test-time adaptation learns on the inputs it is evaluated on. */
  readonly split?: Split;
  /** Default true: labels are not even loaded. */
  readonly unlabelled?: boolean;
}

/**
 * Test-time adaptation (AdaMerging's coefficients, WEMoE's routers): each step minimises the sum
 * over tasks of `lossForTask` on one unlabelled batch per task.
 */
export function runAdaptation(options: AdaptationOptions): Promise<TrainingResult> {
  const { lossForTask } = options;
  return runTrainingLoop({
    ...options,
    name: 'adaptation',
    split: options.split ?? 'test',
    unlabelled: options.unlabelled ?? true,
    lossForBatch: (task, batch) => lossForTask(task, batch.inputs, batch.labels),
  });
}
