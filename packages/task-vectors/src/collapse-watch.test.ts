import { memoryLogger } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CollapseWatch, topClassShareColumn } from './collapse-watch.js';

/** Logits [B, 3] whose argmax is `classes`. */
const logitsFor = (classes: number[]) => tf.oneHot(tf.tensor1d(classes, 'int32'), 3).mul(5);

describe('CollapseWatch', () => {
  it('records each task’s top-class share per step, micro-batches added up', () => {
    const watch = new CollapseWatch(['a', 'b']);
    tf.tidy(() => {
      watch.observe('a', logitsFor([0, 0, 1]));
      watch.observe('a', logitsFor([0, 2, 2, 2, 2])); // a second micro-batch of the same step
      watch.observe('b', logitsFor([1, 1]));
    });
    expect(watch.endStep(1)).toEqual({
      [topClassShareColumn('a')]: 4 / 8,
      [topClassShareColumn('b')]: 1,
    });
    watch.observe('a', logitsFor([1, 2]));
    expect(watch.endStep(2)).toEqual({ [topClassShareColumn('a')]: 0.5 }); // counts were reset
  });

  it('warns once per task after `patience` collapsed steps in a row, not before', () => {
    const logger = memoryLogger();
    const watch = new CollapseWatch(['a', 'b'], { threshold: 0.75, patience: 3, logger });
    const step = (a: number[], b: number[], n: number) => {
      tf.tidy(() => {
        watch.observe('a', logitsFor(a));
        watch.observe('b', logitsFor(b));
      });
      watch.endStep(n);
    };
    step([0, 0, 0, 0], [0, 1, 2, 0], 1);
    step([1, 1, 1, 0], [0, 1, 2, 0], 2);
    step([0, 1, 2, 0], [0, 1, 2, 0], 3); // a's streak is broken
    step([2, 2, 2, 2], [0, 1, 2, 0], 4);
    step([2, 2, 2, 2], [0, 1, 2, 0], 5);
    expect(logger.lines).toEqual([]);
    step([2, 2, 2, 2], [0, 1, 2, 0], 6);
    step([2, 2, 2, 2], [0, 1, 2, 0], 7);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain(
      "task 'a' has sent ≥75% of its inputs to one class for 3 steps (step 6)",
    );
  });

  it('keeps no tensor and refuses a threshold outside (0, 1]', () => {
    const watch = new CollapseWatch(['a']);
    const logits = logitsFor([0, 1]);
    const before = tf.memory().numTensors;
    watch.observe('a', logits);
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
    expect(() => new CollapseWatch(['a'], { threshold: 1.5 })).toThrow('threshold 1.5 must be in (0, 1]');
  });
});
