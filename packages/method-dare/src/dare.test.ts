import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f32ToBf16, openSafetensors, PRETRAINED, WeightsPool } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { mergeDare } from './index.js';

// The PyTorch fixtures of tools/reference/mergekit_fixtures.py, kept with the weights-only pool.
const FIXTURES = fileURLToPath(new URL('../../modelpool-weights/fixtures/', import.meta.url));
const llama = (name: string) => path.join(FIXTURES, 'llama', name);
const pool = () =>
  WeightsPool.fromCheckpoints(
    new Map([
      [PRETRAINED, llama('base')],
      ['a', llama('a')],
      ['b', llama('b')],
      ['c', llama('c')],
    ]),
  );

async function expectBf16Equal(model: Awaited<ReturnType<typeof mergeDare>>, expectedCase: string) {
  const expected = await openSafetensors(path.join(FIXTURES, 'cases', expectedCase, 'expected.safetensors'));
  for (const key of expected.keys()) {
    const got = f32ToBf16(model.stateDict().get(key)!.dataSync() as Float32Array);
    const want = await expected.readRaw(key);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.data)), key).toBe(true);
  }
  await expected.close();
  model.dispose();
}

describe('parity with the PyTorch transcription of mergekit (bf16 outputs equal bit for bit)', () => {
  it('dare_linear', async () => {
    const model = await mergeDare(pool(), {
      dropRate: [0.5, 0.3, 0.1],
      weights: [0.6, 0.6, 0.6],
      signConsensus: false,
      seed: 7,
    });
    await expectBf16Equal(model, 'llama-dare-linear');
  });

  it('dare_ties', async () => {
    const model = await mergeDare(pool(), {
      dropRate: [0.6, 0.6, 0.4],
      weights: [1, 0.7, 0.5],
      normalize: true,
      signConsensus: true,
      seed: 7,
    });
    await expectBf16Equal(model, 'llama-dare-ties');
  });
});

describe('DARE', () => {
  it('is reproducible from the seed and changes with it', async () => {
    const options = { dropRate: 0.5, signConsensus: false };
    const [a, b, c] = await Promise.all([
      mergeDare(pool(), { ...options, seed: 1 }),
      mergeDare(pool(), { ...options, seed: 1 }),
      mergeDare(pool(), { ...options, seed: 2 }),
    ]);
    const w = (m: typeof a) => Array.from(m.stateDict().get('lm_head.weight')!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    for (const m of [a, b, c]) m.dispose();
  });

  it('rejects a drop rate of 1 and a list of the wrong length', async () => {
    await expect(mergeDare(pool(), { dropRate: 1, signConsensus: false, seed: 0 })).rejects.toThrow(
      'method dare: drop_rate must be in [0, 1) (the share dropped), got 1',
    );
    await expect(mergeDare(pool(), { dropRate: [0.5, 0.5], signConsensus: true, seed: 0 })).rejects.toThrow(
      'method dare-ties: drop_rate: expected one value per model (3), got 2',
    );
  });

  it('passes the plugin conformance checks', async () => {
    await checkPluginConformance(plugin);
  });
});
