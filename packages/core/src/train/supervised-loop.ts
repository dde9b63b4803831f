import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../contracts/task-pool.js';
import { MergebenchError } from '../errors.js';
import { crossEntropy } from './losses.js';
import { type LoopOptions, runTrainingLoop, type TrainingResult } from './training-loop.js';

export interface SupervisedOptions extends LoopOptions {
  /** Logits [B, classes] of one task for a batch of inputs. */
  readonly logitsForTask: (task: string, inputs: tf.Tensor) => tf.Tensor;
  /** Default 'train'. */
  readonly split?: Split;
}

/**
 * Labelled training (fine-tuning, PWEMoE): each step minimises the sum over tasks of the mean
 * cross-entropy on one labelled batch per task.
 */
export function runSupervised(options: SupervisedOptions): Promise<TrainingResult> {
  const { logitsForTask } = options;
  const split = options.split ?? 'train';
  return runTrainingLoop({
    ...options,
    name: 'training',
    split,
    unlabelled: false,
    lossForBatch: (task, batch) => {
      if (batch.labels === undefined) {
        throw new MergebenchError(`training: task '${task}' gave a '${split}' batch without labels`);
      }
      return crossEntropy(logitsForTask(task, batch.inputs), batch.labels);
    },
  });
}
