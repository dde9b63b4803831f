import {
  AdamW,
  type Logger,
  type Module,
  type Optimizer,
  runSupervised,
  type TaskData,
  type TaskHeads,
  type TrainingResult,
  type TrainingStateOptions,
} from '@mergebench/core';
import type * as tf from '@tensorflow/tfjs';
import { ClippedOptimizer } from './clipped-optimizer.js';
import { learningRateSchedule, type ScheduleName } from './schedule.js';

/** The optimizer and its schedule. */
export interface OptimizerSettings {
  readonly lr: number;
  readonly steps: number;
  readonly batchSize: number;
  /** AdamW's decoupled weight decay (0: plain Adam). */
  readonly weightDecay: number;
  readonly schedule: ScheduleName;
  readonly warmupSteps: number;
  /** Clip the global gradient norm to this before each update; null: no clipping. */
  readonly maxGradNorm: number | null;
}

export interface EncoderTraining extends OptimizerSettings {
  /** The tasks trained on together: one labelled batch of each per step, losses summed. */
  readonly tasks: readonly string[];
  readonly data: TaskData;
  /** Frozen: only the encoder's parameters are trained. */
  readonly heads: TaskHeads;
  /** Seeds the batch order. */
  readonly seed: number;
  /** Saves the training state every `every` steps into `dir`, resuming from the latest there when `resume`. */
  readonly trainingState?: TrainingStateOptions;
  /** @deprecated renamed `trainingState`; still read when that is not given. */
  readonly checkpoint?: TrainingStateOptions;
  readonly logger?: Logger;
  /** Default: a progress bar on a terminal. */
  readonly progress?: boolean;
}

/**
 * Trains `encoder` in place on labelled training batches with each task's frozen head on top,
 * by cross-entropy, with AdamW (torch semantics) and core's supervised loop (saved training
 * state, resume, progress). The head keeps the classes where they are, as CLIP fine-tuning keeps its
 * zero-shot head, so fine-tuned encoders stay comparable and mergeable.
 */
export async function trainEncoder(encoder: Module, options: EncoderTraining): Promise<TrainingResult> {
  const variables = new Map([...encoder.namedParameters()].filter(([, v]) => v.trainable));
  const adam = new AdamW([...variables.values()], { lr: options.lr, weightDecay: options.weightDecay });
  const optimizer: Optimizer =
    options.maxGradNorm === null ? adam : new ClippedOptimizer(adam, options.maxGradNorm);
  encoder.train();
  try {
    return await runSupervised({
      tasks: options.tasks,
      data: options.data,
      variables,
      optimizer,
      schedule: learningRateSchedule(options.schedule, options.lr, options.steps, options.warmupSteps),
      steps: options.steps,
      batchSize: options.batchSize,
      seed: options.seed,
      trainingState: options.trainingState ?? options.checkpoint,
      logger: options.logger,
      progress: options.progress,
      logitsForTask: (task, inputs) => options.heads.head(task).forward(encoder.forward(inputs)) as tf.Tensor,
    });
  } finally {
    optimizer.dispose();
    encoder.eval();
  }
}
