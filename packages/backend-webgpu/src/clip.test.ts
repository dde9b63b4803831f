// CLIP's vision tower on webgpu: forward against PyTorch (modelpool-clip-vit's fixtures, written
// by tools/reference/clip_fixtures.py) and backward against the cpu backend, parameter by parameter.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSafetensors, readStateDict, type StateDict } from '@mergebench/core';
import { loadClipVisionModel } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBGPU_BACKEND_NAME } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../modelpool-clip-vit/fixtures/', import.meta.url));
/** The cpu and wasm backends' tolerance against PyTorch in float32, unchanged on the GPU. */
const TOLERANCE = 1e-4;

let want: StateDict;
beforeAll(async () => {
  const file = await openSafetensors(join(FIXTURES, 'expected.safetensors'));
  want = await readStateDict(file);
  await file.close();
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('CLIP vision tower on webgpu', () => {
  it('matches PyTorch forward on both fixture checkpoints (quick_gelu; gelu with eps 1e-6)', async () => {
    await tf.setBackend(WEBGPU_BACKEND_NAME);
    const pixels = want.get('pixel_values')!;
    for (const [folder, key] of [
      ['tiny-clip', 'clip.image_embeds'],
      ['tiny-clip-vision', 'vision.image_embeds'],
    ] as const) {
      const model = await loadClipVisionModel(join(FIXTURES, folder));
      const embeds = model.forward(pixels);
      expect(tf.getBackend()).toBe('webgpu');
      expect(maxAbsDiff(embeds, want.get(key)!), folder).toBeLessThanOrEqual(TOLERANCE);
      embeds.dispose();
      model.dispose();
    }
  });

  it('gives the cpu backend’s gradient for every parameter, and leaks no tensor', async () => {
    const pixels = want.get('pixel_values')!;
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const model = await loadClipVisionModel(join(FIXTURES, 'tiny-clip'));
      const names = new Map([...model.namedParameters()].map(([name, v]) => [v.name, name]));
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.forward(pixels))) as tf.Scalar,
        model.trainableVariables(),
      );
      const out = new Map(Object.entries(grads).map(([id, g]) => [names.get(id)!, g.dataSync().slice()]));
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors, `${backend} leaks`).toBe(before);
      model.dispose();
      return { loss, out };
    };
    const cpu = await gradients('cpu');
    const gpu = await gradients(WEBGPU_BACKEND_NAME);
    expect(Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThanOrEqual(TOLERANCE);
    expect([...gpu.out.keys()].sort()).toEqual([...cpu.out.keys()].sort());
    for (const [name, expected] of cpu.out) {
      const actual = gpu.out.get(name)!;
      const scale = Math.max(...expected.map(Math.abs), 1);
      const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i] - e)));
      // Relative to the largest entry: GPU sums run in another order than the cpu backend's.
      expect(worst / scale, name).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
