import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Linear, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { encodePng, tempDir } from './fixtures.test.helpers.js';
import { TaskHeadSet } from './heads.js';
import { ImageClassificationTaskPool } from './task-pool.js';

/** Features [B, 1]: the mean of every pixel of every channel. */
class MeanPixel extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.mean(x, [1, 2, 3]), [-1, 1]));
  }
}

/** An image folder of solid gray images: dark (0, 51) and light (255, 153, 102). */
function tonesFolder(): string {
  const dir = tempDir();
  const grays = { dark: [0, 51], light: [255, 153, 102] };
  for (const [name, levels] of Object.entries(grays)) {
    mkdirSync(join(dir, name));
    levels.forEach((g, i) => {
      writeFileSync(
        join(dir, name, `${i}.png`),
        encodePng(5, 3, () => [g, g, g]),
      );
    });
  }
  return dir;
}

/** Logits [−f, f]: "light" exactly when the mean pixel is above mid-gray. */
function tonesHead(): TaskHeadSet {
  const head = new Linear(1, 2);
  const weights = new Map([
    ['weight', tf.tensor2d([[-1], [1]])],
    ['bias', tf.zeros([2])],
  ]);
  head.loadStateDict(weights);
  tf.dispose([...weights.values()]);
  return new TaskHeadSet(new Map([['tones', head]]));
}

describe('ImageClassificationTaskPool', () => {
  it('evaluates accuracy and cross-entropy on a hand-computed example, reporting progress', async () => {
    const heads = tonesHead();
    const pool = await ImageClassificationTaskPool.create({
      tasks: ['tones'],
      imageFolders: { tones: tonesFolder() },
      heads,
      imageSize: 4,
      trainSize: 0,
      testSize: 10,
      batchSize: 2,
    });
    const progress: number[][] = [];
    const before = tf.memory().numTensors;
    const result = await pool.evaluate(new MeanPixel(), {
      onProgress: (_task, done, total) => progress.push([done, total]),
    });
    expect(tf.memory().numTensors).toBe(before);
    // Normalised features f = 2·gray/255 − 1: dark −1, −0.6; light 1, 0.2, −0.2 (the last one wrong).
    const softplus = (z: number) => Math.log1p(Math.exp(z));
    const loss = (2 * softplus(-2) + softplus(-1.2) + softplus(-0.4) + softplus(0.4)) / 5;
    expect(result.tasks.tones.count).toBe(5);
    expect(result.tasks.tones.accuracy).toBeCloseTo(0.8, 10);
    expect(result.tasks.tones.loss).toBeCloseTo(loss, 5);
    expect(result.average.accuracy).toBeCloseTo(0.8, 10);
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    pool.dispose();
    // Heads the caller built stay the caller's.
    expect(heads.head('tones').weight.isDisposed).toBe(false);
    heads.dispose();
  });

  it('refuses heads whose class count differs from the task’s', async () => {
    const heads = tonesHead();
    await expect(
      ImageClassificationTaskPool.create({
        tasks: ['synthetic-counting'],
        heads: new TaskHeadSet(new Map([['synthetic-counting', heads.head('tones')]])),
        trainSize: 0,
        testSize: 5,
      }),
    ).rejects.toThrow(/^heads: the head of task 'synthetic-counting' has 2 classes, the task 5$/);
    heads.dispose();
  });
});
