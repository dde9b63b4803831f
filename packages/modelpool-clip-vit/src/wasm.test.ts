import { selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClipTextModel } from './checkpoint/text-checkpoint.js';
import { loadClipVisionModel } from './checkpoint/vision-checkpoint.js';
import { expectedTensors, maxAbsDiff, TINY_CLIP, TOLERANCE } from './fixtures.test.helpers.js';

// The wasm backend lacks some kernels and runs others differently: the towers must hold parity there too.
describe('CLIP towers on the wasm backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('match PyTorch', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const want = await expectedTensors();
    const vision = await loadClipVisionModel(TINY_CLIP);
    const text = await loadClipTextModel(TINY_CLIP);
    tf.tidy(() => {
      expect(
        maxAbsDiff(vision.forward(want.get('pixel_values')!), want.get('clip.image_embeds')!),
      ).toBeLessThanOrEqual(TOLERANCE);
      const ids = tf.cast(want.get('text.input_ids')!, 'int32');
      expect(maxAbsDiff(text.forward(ids), want.get('text.embeds_legacy')!)).toBeLessThanOrEqual(TOLERANCE);
    });
    vision.dispose();
    text.dispose();
  });
});
