import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors } from '@mergebench/core';
import { loadClipVisionModel } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, TINY_CLIP, tempDir } from './fixtures.test.helpers.js';
import { ClipClassificationTaskPool } from './task-pool.js';

const PARITY = join(FIXTURES, 'parity');

async function expected(name: string): Promise<Float32Array> {
  const file = await openSafetensors(join(PARITY, 'expected.safetensors'));
  const tensor = await file.read(name);
  const values = (await tensor.data()) as Float32Array;
  tensor.dispose();
  await file.close();
  return values;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('parity with PyTorch (tools/reference/clip_classification_fixtures.py)', () => {
  it('image bytes → decode → preprocess → vision tower → eurosat zero-shot head gives the same logits', async () => {
    // The parity images are the first three rows of the eurosat fixture's test split.
    const labels = JSON.parse(readFileSync(join(PARITY, 'labels.json'), 'utf8'));
    const pool = await ClipClassificationTaskPool.create({
      tasks: ['eurosat'],
      data: { eurosat: join(FIXTURES, 'tanganke-eurosat') },
      clipModel: TINY_CLIP,
      testLimit: 3,
      headsCache: join(tempDir(), 'heads'),
    });
    const vision = await loadClipVisionModel(TINY_CLIP);
    const batches = pool.data.batches('eurosat', 'test', { batchSize: 3 })[Symbol.asyncIterator]();
    const { value: batch } = await batches.next();
    expect(Array.from(await batch.labels.data())).toEqual(labels);
    // Decoding (sharp vs Pillow) and preprocessing are bit-exact.
    expect(maxAbsDiff(await batch.inputs.data(), await expected('pixel_values'))).toBe(0);
    const head = pool.heads.head('eurosat');
    expect(maxAbsDiff(await head.weight.data(), await expected('class_embeddings'))).toBeLessThan(1e-5);
    const logits = tf.tidy(() => head.forward(vision.forward(batch.inputs)));
    expect(maxAbsDiff(await logits.data(), await expected('logits'))).toBeLessThan(1e-4);
    tf.dispose([batch.inputs, batch.labels, logits]);
    vision.dispose();
    pool.dispose();
  });
});
