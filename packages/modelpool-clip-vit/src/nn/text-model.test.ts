import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipTextModel } from '../checkpoint/text-checkpoint.js';
import { expectedTensors, maxAbsDiff, TINY_CLIP, TOLERANCE } from '../fixtures.test.helpers.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import type { ClipTextModelWithProjection } from './text-model.js';

describe('ClipTextModelWithProjection', () => {
  let model: ClipTextModelWithProjection;
  let inputIds: tf.Tensor;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = await loadClipTextModel(TINY_CLIP);
    inputIds = tf.cast((await expectedTensors()).get('text.input_ids')!, 'int32');
  });
  afterAll(() => {
    model.dispose();
    inputIds.dispose();
  });

  it('matches PyTorch with a legacy config (eos_token_id 2: pooled at the largest id)', async () => {
    const want = await expectedTensors();
    expect(model.config.eos_token_id).toBe(2);
    const out = model.encode(inputIds);
    expect(maxAbsDiff(out.pooledOutput, want.get('text.pooled_legacy')!)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(out.textEmbeds, want.get('text.embeds_legacy')!)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([out.lastHiddenState, out.pooledOutput, out.textEmbeds]);
  });

  it('matches PyTorch when pooling at the first eos_token_id (0 in a row without one)', async () => {
    const want = await expectedTensors();
    const tokenizer = await ClipTokenizer.fromFolder(TINY_CLIP);
    const current = await loadClipTextModel(TINY_CLIP, { config: { eos_token_id: tokenizer.eosTokenId } });
    const embeds = current.forward(inputIds);
    expect(maxAbsDiff(embeds, want.get('text.embeds_eos')!)).toBeLessThanOrEqual(TOLERANCE);
    // The last row has no <|endoftext|>: the two rules pool at different positions there.
    expect(
      maxAbsDiff(embeds.slice([3, 0], [1, -1]), want.get('text.embeds_legacy')!.slice([3, 0], [1, -1])),
    ).toBeGreaterThan(1e-3);
    tf.dispose(embeds);
    current.dispose();
  });

  it('pools the same whatever the padding after the end-of-text token', async () => {
    const tokenizer = await ClipTokenizer.fromFolder(TINY_CLIP);
    const texts = ['a photo of a cat.', 'a sea lion'];
    const longest = tokenizer.encodeBatch(texts);
    const full = tokenizer.encodeBatch(texts, { padding: 'max_length' });
    expect(full.shape).toEqual([2, 77]);
    expect(longest.shape[1]).toBeLessThan(77);
    const [a, b] = [model.forward(longest), model.forward(full)];
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5);
    tf.dispose([longest, full, a, b]);
  });

  it('rejects ids longer than max_position_embeddings and float ids', () => {
    expect(() => model.forward(tf.zeros([1, 78], 'int32'))).toThrow('expected int32 input ids [B, L ≤ 77]');
    expect(() => model.forward(tf.zeros([1, 5]))).toThrow('got float32 [1,5]');
  });
});
