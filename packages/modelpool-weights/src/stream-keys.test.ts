import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCheckpoint, openSafetensors } from '@mergebench/core';
import type { KeyMerge } from '@mergebench/task-vectors';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mergeToFolder } from './merge-to-folder.js';
import { readMergekitConfig } from './mergekit-config.js';
import { openMergeModels } from './open-merge-models.js';

const CASES = fileURLToPath(new URL('../fixtures/cases/', import.meta.url));

async function mergeCase(
  name: string,
  out: string,
  pieces: { chunkBytes: number; runEntries: number },
  wrap?: (m: KeyMerge) => KeyMerge,
) {
  const dir = path.join(CASES, name);
  const { seed } = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as { seed: number };
  const plan = readMergekitConfig(
    parse(readFileSync(path.join(dir, 'config.yaml'), 'utf8')),
    'config.yaml',
    seed,
  );
  const { base, models, close } = await openMergeModels(plan, dir);
  try {
    await mergeToFolder({
      base,
      models,
      merge: wrap ? wrap(plan.merge) : plan.merge,
      out,
      dtype: plan.dtype,
      maxShardBytes: 3000,
      ...pieces,
    });
  } finally {
    await close();
  }
}

async function expectReference(name: string, out: string) {
  const merged = await openCheckpoint(out);
  const expected = await openSafetensors(path.join(CASES, name, 'expected.safetensors'));
  try {
    for (const key of expected.keys()) {
      const got = await merged.readRaw(key);
      const want = await expected.readRaw(key);
      expect(Buffer.from(got.data).equals(Buffer.from(want.data)), key).toBe(true);
    }
  } finally {
    await merged.close();
    await expected.close();
  }
}

describe('merges streamed in pieces', () => {
  // Pieces of 2 runs of 7 entries: every tensor of the fixtures spans many pieces and runs, none
  // of them dividing its length, so scans, thresholds' ties, DARE's indices and SLERP's sums cross
  // piece boundaries.
  it.each(readdirSync(CASES))('%s: equal bit for bit to the reference', async (name) => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'mb-pieces-')), 'merged');
    await mergeCase(name, out, { chunkBytes: 28, runEntries: 7 });
    await expectReference(name, out);
  });

  it('a merge that only takes whole tensors is given them whole', async () => {
    const name = 'llama-ties';
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'mb-pieces-')), 'merged');
    // a plain function: not streamable
    await mergeCase(name, out, { chunkBytes: 28, runEntries: 7 }, (merge) => (inputs, o) => merge(inputs, o));
    await expectReference(name, out);
  });
});
