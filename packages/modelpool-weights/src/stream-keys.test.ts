import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FloatStorageDtype,
  openCheckpoint,
  openSafetensors,
  readStateDict,
  saveHfFolder,
} from '@mergebench/core';
import type { KeyMerge } from '@mergebench/task-vectors';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mergeToFolder } from './merge-to-folder.js';
import { readMergekitConfig } from './mergekit-config.js';
import { openMergeModels } from './open-merge-models.js';
import { decodeFloat, encodeFloat, FLOAT_DTYPES } from './tensor-codec.js';

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

  it.each([
    ['ties', 'float16'],
    ['task_arithmetic', 'float32'],
    ['dare_ties', 'bfloat16'],
  ])('F16 inputs (%s, %s out) equal the merge of whole tensors', async (method, dtype) => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-pieces-f16-'));
    for (const name of ['base', 'a', 'b']) {
      const dir = path.join(root, name);
      cpSync(path.join(CASES, '../gpt2', name), dir, { recursive: true });
      const source = await openCheckpoint(dir);
      const tensors = await readStateDict(source);
      await source.close();
      const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
      await saveHfFolder(dir, { config, tensors, overwrite: true, dtype: 'F16' });
    }
    const models = ['a', 'b'].map((model, i) => ({
      model,
      parameters: { weight: 0.6 + i * 0.2, ...(method === 'task_arithmetic' ? {} : { density: 0.5 }) },
    }));
    const plan = readMergekitConfig(
      { merge_method: method, base_model: 'base', models, dtype },
      'config.yaml',
      7,
    );
    const opened = await openMergeModels(plan, root);
    const out = path.join(root, 'merged');
    try {
      await mergeToFolder({
        ...opened,
        merge: plan.merge,
        out,
        dtype: plan.dtype,
        chunkBytes: 28,
        runEntries: 7,
      });
      const merged = await openCheckpoint(out);
      const inputs = [opened.base!, ...opened.models];
      let compared = 0;
      for (const key of opened.base!.weights.keys()) {
        const info = opened.base!.weights.info(key);
        if (!FLOAT_DTYPES.includes(info.storedDtype)) continue;
        const values = await Promise.all(
          inputs.map(async (m) => decodeFloat(info.storedDtype, (await m.weights.readRaw(key)).data, key)),
        );
        const expected = encodeFloat(
          plan.merge({ key, base: values[0], models: values.slice(1) }),
          plan.dtype as FloatStorageDtype,
        );
        const got = (await merged.readRaw(key)).data;
        expect(Buffer.from(got).equals(Buffer.from(expected)), key).toBe(true);
        compared++;
      }
      await merged.close();
      expect(compared).toBeGreaterThan(5);
    } finally {
      await opened.close();
    }
  });
});
