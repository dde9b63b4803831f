import type { Logger } from '@mergebench/core';
import { check, entropyLoss } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

export const COLLAPSE_THRESHOLD = 0.9;
export const COLLAPSE_PATIENCE = 20;

export interface CollapseWatchOptions {
  /** A task is suspect when at least this share of a step's inputs went to one class (default 0.9). */
  readonly threshold?: number;
  /** … in this many steps in a row (default 20); then one warning for that task. */
  readonly patience?: number;
  /** Names the loop in the warning, e.g. 'adaptation'. */
  readonly name?: string;
  readonly logger?: Logger;
}

/** The column of a task's top-class share in a run's history. */
export const topClassShareColumn = (task: string) => `top_class_share/${task}`;

/**
 * Watches what an entropy-minimising adaptation predicts. The entropy falls when predictions
 * grow confidently right, and also when the model sends every input to one class: then the
 * accuracy falls to that class's share of the data while the loss looks better than ever. Per
 * task and step it records the share of the step's inputs given the most predicted class, and
 * warns once for a task whose share stays at or above the threshold for `patience` steps.
 *
 * Compute the loss with `entropy` (or call `observe` with each batch's logits) and call `endStep`
 * from the loop's `recordExtra`, whose columns it returns.
 */
export class CollapseWatch {
  private readonly counts = new Map<string, Map<number, number>>();
  private readonly streaks = new Map<string, number>();
  private readonly warned = new Set<string>();
  private readonly threshold: number;
  private readonly patience: number;

  constructor(
    private readonly tasks: readonly string[],
    private readonly options: CollapseWatchOptions = {},
  ) {
    this.threshold = options.threshold ?? COLLAPSE_THRESHOLD;
    this.patience = options.patience ?? COLLAPSE_PATIENCE;
    check(
      this.threshold > 0 && this.threshold <= 1,
      `collapse watch: threshold ${this.threshold} must be in (0, 1]`,
    );
    check(
      Number.isInteger(this.patience) && this.patience >= 1,
      `collapse watch: patience ${this.patience} must be an integer ≥ 1`,
    );
  }

  /** Counts the predicted classes of logits [B, C] for `task` (every micro-batch of a step adds up). */
  observe(task: string, logits: tf.Tensor): void {
    const predicted = tf.tidy(() => tf.argMax(logits, -1));
    const classes = predicted.dataSync();
    predicted.dispose();
    const counts = this.counts.get(task) ?? new Map<number, number>();
    this.counts.set(task, counts);
    for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
  }

  /** entropyLoss(logits), the batch's predictions counted for `task`. */
  entropy(task: string, logits: tf.Tensor): tf.Scalar {
    this.observe(task, logits);
    return entropyLoss(logits);
  }

  /**
   * Ends a step: each observed task's top-class share as `top_class_share/<task>` columns,
   * warnings for tasks that have stayed collapsed for `patience` steps, counts reset.
   */
  endStep(step: number): Record<string, number> {
    const columns: Record<string, number> = {};
    for (const task of this.tasks) {
      const counts = this.counts.get(task);
      if (!counts) continue;
      const values = [...counts.values()];
      const share = Math.max(...values) / values.reduce((a, b) => a + b, 0);
      columns[topClassShareColumn(task)] = share;
      const streak = share >= this.threshold ? (this.streaks.get(task) ?? 0) + 1 : 0;
      this.streaks.set(task, streak);
      if (streak >= this.patience && !this.warned.has(task)) {
        this.warned.add(task);
        this.options.logger?.warn(
          `${this.options.name ?? 'adaptation'}: task '${task}' has sent ≥${Math.round(this.threshold * 100)}% ` +
            `of its inputs to one class for ${streak} steps (step ${step}): the entropy may be ` +
            'falling by collapse to a constant prediction; fewer steps or a lower lr may keep the accuracy',
        );
      }
    }
    this.counts.clear();
    return columns;
  }
}
