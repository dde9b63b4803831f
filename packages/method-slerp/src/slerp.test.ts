import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f32ToBf16, openSafetensors, PRETRAINED, WeightsPool } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { slerpCoefficients } from '@mergebench/task-vectors';
import { describe, expect, it } from 'vitest';
import plugin, { mergeSlerp } from './index.js';

// The PyTorch fixtures of tools/reference/mergekit_fixtures.py, kept with the weights-only pool.
const FIXTURES = fileURLToPath(new URL('../../modelpool-weights/fixtures/', import.meta.url));
const llama = (name: string) => path.join(FIXTURES, 'llama', name);

describe('SLERP', () => {
  it('equals the PyTorch transcription of mergekit bit for bit (bf16 output)', async () => {
    const pool = WeightsPool.fromCheckpoints(
      new Map([
        [PRETRAINED, llama('base')],
        ['b', llama('b')],
      ]),
    );
    const model = await mergeSlerp(pool, 0.3);
    const expected = await openSafetensors(
      path.join(FIXTURES, 'cases', 'llama-slerp', 'expected.safetensors'),
    );
    for (const key of expected.keys()) {
      const got = f32ToBf16(model.stateDict().get(key)!.dataSync() as Float32Array);
      expect(Buffer.from(got.buffer).equals(Buffer.from((await expected.readRaw(key)).data)), key).toBe(true);
    }
    await expected.close();
    model.dispose();
  });

  it('interpolates on the sphere, and linearly for nearly parallel tensors', () => {
    const v0 = new Float32Array([1, 0]);
    const v1 = new Float32Array([0, 1]);
    const [s0, s1] = slerpCoefficients(0.5, v0, v1);
    expect(s0).toBeCloseTo(Math.SQRT1_2, 6);
    expect(s1).toBeCloseTo(Math.SQRT1_2, 6);
    expect(slerpCoefficients(0.25, v0, new Float32Array([1, 1e-3]))).toEqual([0.75, 0.25]);
  });

  it('interpolates towards one named fine-tuned model', async () => {
    const pool = WeightsPool.fromCheckpoints(
      new Map([
        [PRETRAINED, llama('base')],
        ['a', llama('a')],
        ['b', llama('b')],
      ]),
    );
    await expect(mergeSlerp(pool, 0.5, 'z')).rejects.toThrow("method.model: 'z' is not in the pool (a, b)");
    await expect(mergeSlerp(pool, 0.5)).rejects.toThrow(
      'method slerp: interpolates the pretrained model and one fine-tuned model; the pool lists 2 (a, b): name one with method.model',
    );
  });

  it('passes the plugin conformance checks', async () => {
    await checkPluginConformance(plugin);
  });
});
