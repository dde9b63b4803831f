import type * as tf from '@tensorflow/tfjs';
import type { DependencyContainer } from 'tsyringe';
import type { Module } from '../nn/module.js';

/** Metrics of one task. */
export interface TaskMetrics {
  readonly accuracy: number;
  readonly loss: number;
  readonly count: number;
}

export interface TaskPoolResult {
  readonly tasks: Readonly<Record<string, TaskMetrics>>;
  /** Unweighted means over tasks. */
  readonly average: { readonly accuracy: number; readonly loss: number };
}

export interface EvaluateOptions {
  /** Evaluate only these tasks (default: all). */
  readonly tasks?: readonly string[];
  /** Called after each batch, for progress displays. */
  readonly onProgress?: (task: string, done: number, total: number) => void;
}

/**
 * Evaluation tasks. A model given to `evaluate` maps an input batch to features; the task pool
 * applies each task's head and computes the metrics.
 */
export interface TaskPool {
  readonly taskNames: readonly string[];
  evaluate(model: Module, options?: EvaluateOptions): Promise<TaskPoolResult>;
  /** Registers the services methods may use (TASK_DATA, TASK_HEADS) into the run's container. */
  registerServices?(container: DependencyContainer): void;
  dispose?(): void | Promise<void>;
}

export type Split = 'train' | 'validation' | 'test';

/** One batch: inputs, and labels where the split is labelled and the caller asked for them. */
export interface Batch {
  readonly inputs: tf.Tensor;
  readonly labels?: tf.Tensor1D;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle with this seed; without one the order is the data set's. */
  readonly shuffleSeed?: number;
  /** Leave labels out (test-time adaptation must not see them). */
  readonly unlabelled?: boolean;
  /** Stop after this many examples. */
  readonly limit?: number;
}

/** Per-task data, registered by a task pool under TASK_DATA. */
export interface TaskData {
  readonly taskNames: readonly string[];
  size(task: string, split: Split): number;
  /** Batches of one task; the consumer disposes each batch's tensors. */
  batches(task: string, split: Split, options: BatchOptions): AsyncIterable<Batch>;
}

/** Frozen per-task classification heads, registered by a task pool under TASK_HEADS. */
export interface TaskHeads {
  readonly taskNames: readonly string[];
  /** Maps features [B, D] to logits [B, classes] for `task`. */
  head(task: string): Module;
  numClasses(task: string): number;
  /** Width of the features `task`'s head reads, checked against the model pool's before any work. */
  featureDimOf?(task: string): number;
  /** Where the heads were read from (a file), for messages. */
  readonly source?: string;
}
