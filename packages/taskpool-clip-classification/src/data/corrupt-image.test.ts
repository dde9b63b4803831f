import { join } from 'node:path';
import type { SeededCorruption } from '@mergebench/image-corruptions';
import { describe, expect, it } from 'vitest';
import { FIXTURES, TINY_CLIP, tempDir } from '../fixtures.test.helpers.js';
import { ClipClassificationTaskPool } from '../task-pool.js';

async function firstBatch(
  corruption: SeededCorruption | null,
  split: 'test' | 'train' = 'test',
): Promise<Float32Array> {
  const pool = await ClipClassificationTaskPool.create({
    tasks: ['eurosat'],
    data: { eurosat: join(FIXTURES, 'tanganke-eurosat') },
    clipModel: TINY_CLIP,
    testLimit: 3,
    trainLimit: 3,
    headsCache: join(tempDir(), 'heads'),
    corruption,
  });
  try {
    for await (const batch of pool.data.batches('eurosat', split, { batchSize: 3, unlabelled: true })) {
      const values = (await batch.inputs.data()) as Float32Array;
      batch.inputs.dispose();
      return values;
    }
    throw new Error('no batch');
  } finally {
    pool.dispose();
  }
}

describe('corrupted CLIP test images', () => {
  it('are corrupted before preprocessing, the same way under the same seed, train left clean', async () => {
    const clean = await firstBatch(null);
    const blurred = await firstBatch({ name: 'pixelate', severity: 5, seed: 0 });
    expect(blurred).not.toEqual(clean);
    expect(await firstBatch({ name: 'pixelate', severity: 5, seed: 0 })).toEqual(blurred);
    const noisy = await firstBatch({ name: 'impulse_noise', severity: 2, seed: 0 });
    expect(await firstBatch({ name: 'impulse_noise', severity: 2, seed: 1 })).not.toEqual(noisy);
    expect(await firstBatch({ name: 'impulse_noise', severity: 2, seed: 0 }, 'train')).toEqual(
      await firstBatch(null, 'train'),
    );
  });
});
