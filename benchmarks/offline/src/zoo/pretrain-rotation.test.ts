import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Batch, memoryLogger, openSafetensors } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import { loadImageTasks } from '@mergebench/taskpool-image-classification';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildZoo } from './build-zoo.js';
import { rotations } from './pretrain-rotation.js';
import { prototypeHeads } from './prototype-heads.js';
import { TINY_VISION } from './tiny-vision.test.helpers.js';
import { QUICK_ZOO_SPEC, type ZooSpec, zooKey } from './zoo-spec.js';

const TINY_ROTATION: ZooSpec = {
  ...QUICK_ZOO_SPEC,
  vision: TINY_VISION,
  tasks: ['synthetic-colors', 'synthetic-shapes'],
  data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0 },
  pretrain: { ...QUICK_ZOO_SPEC.pretrain, steps: 3, batchSize: 4, objective: 'rotation', headExamples: 40 },
  finetune: { ...QUICK_ZOO_SPEC.finetune, steps: 2, batchSize: 8 },
};

describe('pretraining by rotation', () => {
  it('turns images by 0, 1, 2 and 3 quarter turns clockwise', () => {
    // One 1-channel 2×2 image [[a, b], [c, d]].
    const image = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    const turned = rotations(image);
    expect(turned.shape).toEqual([4, 1, 2, 2]);
    expect(Array.from(turned.dataSync())).toEqual([1, 2, 3, 4, 3, 1, 4, 2, 4, 3, 2, 1, 2, 4, 1, 3]);
    tf.dispose([image, turned]);
  });

  it('heads are the class prototypes: each class vector is the mean unit feature of its examples', async () => {
    const data = await loadImageTasks({ tasks: ['synthetic-colors'], ...TINY_ROTATION.data });
    const spec = { ...TINY_ROTATION, tasks: ['synthetic-colors'] };
    const model = new ClipVisionModelWithProjection(clipVisionConfig(spec.vision));
    const heads = await prototypeHeads(spec, model, data, 64);
    const classes = data.task('synthetic-colors').classNames.length;
    // Recompute the prototypes of all 64 training examples by hand.
    const all: Batch[] = [];
    for await (const batch of data.batches('synthetic-colors', 'train', { batchSize: 64 })) all.push(batch);
    const expected = tf.tidy(() => {
      const features = model.forward(all[0].inputs) as tf.Tensor2D;
      const unit = tf.div(features, tf.norm(features, 'euclidean', -1, true));
      const labels = Array.from(all[0].labels!.dataSync());
      return tf.stack(
        Array.from({ length: classes }, (_, c) => {
          const rows = labels.flatMap((l, i) => (l === c ? [i] : []));
          const mean = tf.mean(tf.gather(unit, rows), 0);
          return tf.div(mean, tf.norm(mean));
        }),
      );
    });
    const weight = heads.head('synthetic-colors').stateDict().get('weight')!;
    const got = tf.tidy(() => tf.div(weight, tf.norm(weight, 'euclidean', -1, true)));
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]);
    expect(difference).toBeLessThan(1e-5);
    tf.dispose([expected, got, all[0].inputs, all[0].labels]);
    heads.dispose();
    model.dispose();
  });

  it('builds a zoo whose heads come from the rotation-pretrained encoder', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-rotation-'));
    const logger = memoryLogger();
    const backend = tf.getBackend();
    const zoo = await buildZoo(root, TINY_ROTATION, logger);
    expect(path.basename(zoo.dir)).toBe(`zoo-${backend}-${zooKey(TINY_ROTATION)}`);
    expect(logger.lines.some((line) => line.includes('rotation prediction (3 steps)'))).toBe(true);
    const heads = await openSafetensors(zoo.heads);
    expect(heads.keys().some((key) => key.startsWith('synthetic-shapes.'))).toBe(true);
    await heads.close();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);
});
