import { createRng, deriveSeed, permutation, type Split } from '@mergebench/core';
import type { ImageSource, TaskSources } from './image-source.js';

/** Examples per split; a data set with fewer examples gives all it has. */
export interface SplitSizes {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** The examples of one split: which examples of which source, in this order. */
export interface SplitPlan {
  readonly source: ImageSource;
  readonly indices: Int32Array;
}

export type SplitPlans = Readonly<Record<Split, SplitPlan>>;

function shuffled(count: number, seed: number, label: string): Int32Array {
  return permutation(count, createRng(deriveSeed(seed, label)));
}

function take(order: Int32Array, from: number, count: number): Int32Array {
  return order.slice(from, Math.min(from + count, order.length));
}

/**
 * Chooses each split's examples, deterministically from `seed` and the task's name:
 * - official splits: test from a seeded shuffle of the test set; validation then train from a
 *   seeded shuffle of the training set (so validation never overlaps train);
 * - one pool: a seeded shuffle of it gives test first, then validation, then train, so the test
 *   split stays the same when the train size changes;
 * - generated: each split is made at exactly its size (examples 0..n-1, classes balanced).
 * Selections keep the shuffled order, so the first examples of a split are a random sample.
 */
export function planSplits(task: string, sources: TaskSources, sizes: SplitSizes, seed: number): SplitPlans {
  switch (sources.kind) {
    case 'official': {
      const test = shuffled(sources.test.labels.length, seed, `${task}/test`);
      const train = shuffled(sources.train.labels.length, seed, `${task}/train`);
      return {
        test: { source: sources.test, indices: take(test, 0, sizes.test) },
        validation: { source: sources.train, indices: take(train, 0, sizes.validation) },
        train: { source: sources.train, indices: take(train, sizes.validation, sizes.train) },
      };
    }
    case 'pooled': {
      const order = shuffled(sources.all.labels.length, seed, task);
      const validationStart = Math.min(sizes.test, order.length);
      const trainStart = Math.min(validationStart + sizes.validation, order.length);
      return {
        test: { source: sources.all, indices: take(order, 0, sizes.test) },
        validation: { source: sources.all, indices: take(order, validationStart, sizes.validation) },
        train: { source: sources.all, indices: take(order, trainStart, sizes.train) },
      };
    }
    case 'generated': {
      const plan = (split: Split, count: number): SplitPlan => ({
        source: sources.generate(split, count),
        indices: Int32Array.from({ length: count }, (_, i) => i),
      });
      return {
        train: plan('train', sizes.train),
        validation: plan('validation', sizes.validation),
        test: plan('test', sizes.test),
      };
    }
  }
}
