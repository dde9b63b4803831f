import { loadClipTextModel, loadClipVisionModel } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// modelpool-clip-vit's PyTorch fixtures (tools/reference/clip_fixtures.py) and their tolerance.
import {
  expectedTensors,
  maxAbsDiff,
  TINY_CLIP,
  TINY_CLIP_VISION,
  TOLERANCE,
} from '../../modelpool-clip-vit/dist/fixtures.test.helpers.js';
import { useProducts } from './index.js';

// The CLIP towers through every path of this backend (each product library, the fused layer norm,
// quick GELU and Linear) hold the same parity with PyTorch as on the cpu and wasm backends.
describe('CLIP towers on the native backend match PyTorch', () => {
  beforeAll(async () => {
    tf.env().set('IS_TEST', true);
    await tf.setBackend('native');
  });
  afterAll(() => useProducts('auto'));

  for (const products of ['auto', 'openblas', 'onednn'] as const) {
    it(`products: ${products}`, async () => {
      useProducts(products);
      expect(tf.getBackend()).toBe('native');
      const want = await expectedTensors();
      const vision = await loadClipVisionModel(TINY_CLIP);
      const text = await loadClipTextModel(TINY_CLIP);
      const geluVision = await loadClipVisionModel(TINY_CLIP_VISION);
      tf.tidy(() => {
        const pixels = want.get('pixel_values')!;
        expect(maxAbsDiff(vision.forward(pixels), want.get('clip.image_embeds')!)).toBeLessThanOrEqual(
          TOLERANCE,
        );
        const ids = tf.cast(want.get('text.input_ids')!, 'int32');
        expect(maxAbsDiff(text.forward(ids), want.get('text.embeds_legacy')!)).toBeLessThanOrEqual(TOLERANCE);
        const geluEmbeds = geluVision.forward(pixels);
        expect(maxAbsDiff(geluEmbeds, want.get('vision.image_embeds')!)).toBeLessThanOrEqual(TOLERANCE);
      });
      vision.dispose();
      text.dispose();
      geluVision.dispose();
    });
  }
});
