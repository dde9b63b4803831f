import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSafetensors, readStateDict, type StateDict } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** Fixtures written by tools/reference/clip_fixtures.py. */
export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
/** A CLIPModel folder (legacy config, saved position_ids, vocab.json, merges.txt). */
export const TINY_CLIP = join(FIXTURES, 'tiny-clip');
/** A CLIPVisionModelWithProjection folder (gelu, eps 1e-6). */
export const TINY_CLIP_VISION = join(FIXTURES, 'tiny-clip-vision');

/** Parity tolerance against PyTorch in float32. */
export const TOLERANCE = 1e-4;

let expected: StateDict | undefined;

/** The tensors of expected.safetensors (inputs and PyTorch's outputs), read once per test file. */
export async function expectedTensors(): Promise<StateDict> {
  if (!expected) {
    const file = await openSafetensors(join(FIXTURES, 'expected.safetensors'));
    expected = await readStateDict(file);
    await file.close();
  }
  return expected;
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: [${a.shape}] vs [${b.shape}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(tf.cast(a, 'float32'), tf.cast(b, 'float32')))).dataSync()[0]);
}

/** A fresh temporary folder for a test, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clip-vit-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
