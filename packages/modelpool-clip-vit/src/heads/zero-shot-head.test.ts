import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipLogitScale, loadClipTextModel } from '../checkpoint/text-checkpoint.js';
import {
  expectedTensors,
  FIXTURES,
  maxAbsDiff,
  TINY_CLIP,
  TOLERANCE,
  tempDir,
} from '../fixtures.test.helpers.js';
import type { ClipTextModelWithProjection } from '../nn/text-model.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { cachedZeroShotHead, loadZeroShotHead, saveZeroShotHead } from './head-cache.js';
import { buildZeroShotHead, type ZeroShotHead } from './zero-shot-head.js';

const { class_names: CLASS_NAMES, templates: TEMPLATES } = JSON.parse(
  readFileSync(join(FIXTURES, 'tokens.json'), 'utf8'),
).zero_shot as { class_names: string[]; templates: string[] };

describe('zero-shot heads', () => {
  let textModel: ClipTextModelWithProjection;
  let tokenizer: ClipTokenizer;
  let head: ZeroShotHead;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    textModel = await loadClipTextModel(TINY_CLIP);
    tokenizer = await ClipTokenizer.fromFolder(TINY_CLIP);
    head = buildZeroShotHead(
      textModel,
      tokenizer,
      CLASS_NAMES,
      TEMPLATES,
      await loadClipLogitScale(TINY_CLIP),
    );
  });
  afterAll(() => {
    textModel.dispose();
    head.dispose();
  });

  it('averages normalised template embeddings per class as the reference does', async () => {
    const want = await expectedTensors();
    expect(head.numClasses).toBe(3);
    expect(maxAbsDiff(head.weight, want.get('zero_shot.class_embeddings')!)).toBeLessThanOrEqual(TOLERANCE);
    expect(head.logitScale.dataSync()[0]).toBeCloseTo(3.2, 6);
  });

  it('maps image embeddings to exp(logit_scale) × cosine similarities', async () => {
    const want = await expectedTensors();
    const logits = head.forward(want.get('clip.image_embeds')!);
    expect(maxAbsDiff(logits, want.get('zero_shot.logits')!)).toBeLessThanOrEqual(TOLERANCE);
    logits.dispose();
  });

  it('gives the same head for template functions and any batch size', () => {
    const functions = TEMPLATES.map((t) => (name: string) => t.replace('{}', name));
    const other = buildZeroShotHead(textModel, tokenizer, CLASS_NAMES, functions, 3.2, { batchSize: 2 });
    expect(maxAbsDiff(other.weight, head.weight)).toBeLessThanOrEqual(1e-6);
    other.dispose();
  });

  it('rejects a template without a place for the class name', () => {
    expect(() => buildZeroShotHead(textModel, tokenizer, ['cat'], ['a photo'], 1)).toThrow(
      'zero-shot template "a photo" has no {} for the class name',
    );
  });

  it('round-trips through a safetensors cache and refuses a cache for other classes', async () => {
    const { dir, remove } = await tempDir();
    try {
      const file = join(dir, 'head.safetensors');
      await saveZeroShotHead(head, file);
      const loaded = await loadZeroShotHead(file, CLASS_NAMES);
      expect(loaded.classNames).toEqual(CLASS_NAMES);
      expect(maxAbsDiff(loaded.weight, head.weight)).toBe(0);
      expect(loaded.logitScale.dataSync()[0]).toBe(head.logitScale.dataSync()[0]);
      loaded.dispose();
      await expect(loadZeroShotHead(file, ['cat', 'dog'])).rejects.toThrow(
        /head\.safetensors: holds a head for classes/,
      );

      let builds = 0;
      const build = () => {
        builds++;
        return buildZeroShotHead(textModel, tokenizer, ['cat'], ['{}'], 1);
      };
      const cached = join(dir, 'cached.safetensors');
      const first = await cachedZeroShotHead(cached, ['cat'], build);
      const second = await cachedZeroShotHead(cached, ['cat'], build);
      expect(builds).toBe(1);
      expect(maxAbsDiff(first.weight, second.weight)).toBe(0);
      first.dispose();
      second.dispose();
    } finally {
      await remove();
    }
  });
});
