import { describe, expect, it } from 'vitest';
import type { ImageSource, TaskSources } from './image-source.js';
import { planSplits, type SplitPlans } from './splits.js';

function source(count: number): ImageSource {
  return { labels: Int32Array.from({ length: count }, (_, i) => i % 3), channels: 1, draw: () => undefined };
}

const indices = (plans: SplitPlans) => ({
  train: [...plans.train.indices],
  validation: [...plans.validation.indices],
  test: [...plans.test.indices],
});

describe('planSplits', () => {
  const pooled: TaskSources = { kind: 'pooled', all: source(100) };
  const official: TaskSources = { kind: 'official', train: source(80), test: source(30) };

  it('gives the same splits for the same seed and task, other splits for another seed or task', () => {
    const sizes = { train: 40, validation: 10, test: 20 };
    const a = indices(planSplits('t', pooled, sizes, 1));
    expect(indices(planSplits('t', pooled, sizes, 1))).toEqual(a);
    expect(indices(planSplits('t', pooled, sizes, 2)).test).not.toEqual(a.test);
    expect(indices(planSplits('u', pooled, sizes, 1)).test).not.toEqual(a.test);
  });

  it('splits a pool into disjoint test, validation and train sets, test first', () => {
    const split = indices(planSplits('t', pooled, { train: 50, validation: 10, test: 20 }, 0));
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([50, 10, 20]);
    expect(new Set([...split.train, ...split.validation, ...split.test]).size).toBe(80);
    // The test split does not depend on how much training data is asked for.
    expect(indices(planSplits('t', pooled, { train: 5, validation: 0, test: 20 }, 0)).test).toEqual(
      split.test,
    );
  });

  it('gives what a small pool has: test first, then validation, then train', () => {
    const split = indices(planSplits('t', pooled, { train: 1000, validation: 30, test: 60 }, 0));
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([10, 30, 60]);
  });

  it('draws test from the official test set and validation, then train, from the training set', () => {
    const plans = planSplits('t', official, { train: 60, validation: 20, test: 100 }, 0);
    expect(plans.test.source).toBe((official as { test: ImageSource }).test);
    expect(plans.train.source).toBe((official as { train: ImageSource }).train);
    const split = indices(plans);
    expect(split.test.length).toBe(30);
    expect(split.validation.length).toBe(20);
    expect(split.train.length).toBe(60);
    expect(new Set([...split.train, ...split.validation]).size).toBe(80);
  });

  it('makes each split of a generator at exactly its size, from its own source', () => {
    const made: string[] = [];
    const generated: TaskSources = {
      kind: 'generated',
      generate: (split, count) => {
        made.push(`${split}:${count}`);
        return source(count);
      },
    };
    const split = indices(planSplits('t', generated, { train: 7, validation: 0, test: 4 }, 0));
    expect(made).toEqual(['train:7', 'validation:0', 'test:4']);
    expect(split.train).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(split.test).toEqual([0, 1, 2, 3]);
  });
});
