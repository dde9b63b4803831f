import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INDEX_FILE, openCheckpoint, readStateDict, saveHfFolder } from '@mergebench/core';
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mergeCommand } from './merge-command.js';
import { mergeToFolder } from './merge-to-folder.js';
import { openMergeModels } from './open-merge-models.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A scratch folder holding copies of the fixture models (llama/*, gpt2/*) and a config. */
function scratch(config: Record<string, unknown>) {
  const root = mkdtempSync(path.join(tmpdir(), 'mb-merge-err-'));
  cpSync(path.join(FIXTURES, 'llama'), path.join(root, 'llama'), { recursive: true });
  cpSync(path.join(FIXTURES, 'gpt2'), path.join(root, 'gpt2'), { recursive: true });
  writeFileSync(path.join(root, 'config.yaml'), JSON.stringify(config));
  return root;
}

const ties = (base: string, ...models: string[]) => ({
  merge_method: 'ties',
  base_model: base,
  models: models.map((model) => ({ model, parameters: { weight: 1, density: 0.5 } })),
});

async function merge(root: string, extra: string[] = []) {
  return mergeCommand.run(['config.yaml', 'out', ...extra], { cwd: root, out: () => {}, err: () => {} });
}

/** Nothing written: no output folder and no temporary folder beside it. */
function expectNothingWritten(root: string) {
  expect(readdirSync(root).sort()).toEqual(['config.yaml', 'gpt2', 'llama']);
}

/** Rewrites a model folder with `edit` applied to its tensors and config. */
async function rewrite(
  dir: string,
  edit: (tensors: Map<string, tf.Tensor>, config: Record<string, unknown>) => void,
  dtype?: 'F16',
) {
  const source = await openCheckpoint(dir);
  const tensors = await readStateDict(source);
  await source.close();
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  edit(tensors, config);
  await saveHfFolder(dir, { config, tensors, overwrite: true, dtype: dtype ?? 'BF16' });
}

describe('input a merge refuses, with one line and nothing written', () => {
  it('a shard missing', async () => {
    const root = scratch(ties('llama/base', 'llama/a'));
    rmSync(path.join(root, 'llama/a/model-00002-of-00004.safetensors'));
    await expect(merge(root)).rejects.toThrow(
      /model.safetensors.index.json: weight_map sends \d+ tensor\(s\) \(.*\) to missing shard model-00002-of-00004.safetensors/,
    );
    expectNothingWritten(root);
  });

  it('an index naming a file that is not there', async () => {
    const root = scratch(ties('llama/base', 'llama/a'));
    const indexPath = path.join(root, 'llama/a', INDEX_FILE);
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    index.weight_map['model.norm.weight'] = 'model-00009-of-00009.safetensors';
    writeFileSync(indexPath, JSON.stringify(index));
    await expect(merge(root)).rejects.toThrow(
      'weight_map sends 1 tensor(s) (model.norm.weight) to missing shard model-00009-of-00009.safetensors',
    );
    expectNothingWritten(root);
  });

  it('a dtype differing between models', async () => {
    const root = scratch(ties('gpt2/base', 'gpt2/a'));
    await rewrite(path.join(root, 'gpt2/a'), () => {}, 'F16');
    await expect(merge(root)).rejects.toThrow(
      "model gpt2/a: key 'wte.weight' is stored as F16, the base model gpt2/base stores it as F32; convert the checkpoints to one dtype first",
    );
    expectNothingWritten(root);
  });

  it('a shape differing, and a key missing', async () => {
    const root = scratch(ties('llama/base', 'llama/a', 'llama/b'));
    await rewrite(path.join(root, 'llama/b'), (t) => t.delete('model.layers.1.mlp.up_proj.weight'));
    await expect(merge(root)).rejects.toThrow(
      'model llama/b does not have the keys of the base model llama/base: missing model.layers.1.mlp.up_proj.weight',
    );
    const other = scratch(ties('llama/base', 'llama/a'));
    await rewrite(path.join(other, 'llama/a'), (t) => {
      t.set('model.norm.weight', t.get('model.norm.weight')!.slice(0, 8));
    });
    await expect(merge(other)).rejects.toThrow(
      "model llama/a: key 'model.norm.weight' has shape [8], expected [16] as in the base model llama/base",
    );
    expectNothingWritten(root);
    expectNothingWritten(other);
  });

  it('tied word embeddings and a larger vocabulary, named as such', async () => {
    const root = scratch(ties('llama/base', 'llama/a'));
    await rewrite(path.join(root, 'llama/a'), (t, config) => {
      t.delete('lm_head.weight');
      config.tie_word_embeddings = true;
    });
    await expect(merge(root)).rejects.toThrow(
      'model llama/a has no lm_head.weight (tied word embeddings, tie_word_embeddings: true) but llama/base has one (tie_word_embeddings: false); merge models that tie their embeddings alike',
    );
    const vocab = scratch(ties('llama/base', 'llama/a'));
    await rewrite(path.join(vocab, 'llama/a'), (t, config) => {
      const e = t.get('model.embed_tokens.weight')!;
      t.set('model.embed_tokens.weight', e.concat(e.slice(0, 1)));
      config.vocab_size = 65;
    });
    await expect(merge(vocab)).rejects.toThrow(
      "vocabulary sizes differ: llama/a has vocab_size 65 (model.embed_tokens.weight [65, 16]), the base model llama/base 64 ([64, 16]); merging models with different tokenizers (mergekit's tokenizer_source: union) is not supported",
    );
  });

  it('mergekit keys and methods mergebench does not have, each named', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...ties('llama/base', 'llama/a'), slices: [] },
        'config.yaml: slices is not supported (mergebench reads these keys',
      ],
      [
        { ...ties('llama/base', 'llama/a'), merge_method: 'della' },
        'config.yaml: merge_method "della" is not supported (supported: linear, task_arithmetic, ties, dare_linear, dare_ties, slerp)',
      ],
      [
        { ...ties('llama/base', 'llama/a'), tokenizer_source: 'union' },
        'config.yaml: tokenizer_source "union" is not supported (only base',
      ],
      [
        { ...ties('llama/base', 'llama/a'), parameters: { t: 0.5 } },
        'config.yaml: parameters.t is not supported (parameters of ties: normalize, lambda, int8_mask)',
      ],
      [
        {
          merge_method: 'ties',
          base_model: 'llama/base',
          models: [{ model: 'llama/a', parameters: { density: 0.5 } }],
        },
        'config.yaml: models[0].parameters.weight is required by ties',
      ],
      [
        {
          merge_method: 'slerp',
          base_model: 'llama/base',
          models: [{ model: 'llama/a' }],
          parameters: { t: [0, 0.5, 1] },
        },
        'config.yaml: parameters.t: expected a number, got [0,0.5,1] (gradients and filters are not supported)',
      ],
    ];
    for (const [config, message] of cases) {
      const root = scratch(config);
      await expect(merge(root)).rejects.toThrow(message);
      expectNothingWritten(root);
    }
  });

  it('a failure during the write leaves no folder and no temporary files', async () => {
    const root = scratch(ties('llama/base', 'llama/a'));
    const { base, models, close } = await openMergeModels(
      { base: 'llama/base', models: [{ model: 'llama/a' }] },
      root,
    );
    let calls = 0;
    await expect(
      mergeToFolder({
        base,
        models,
        out: path.join(root, 'out'),
        maxShardBytes: 3000,
        merge: ({ base: b }) => {
          if (++calls === 6) throw new Error('No space left on device');
          return b!;
        },
      }),
    ).rejects.toThrow('No space left on device');
    await close();
    expectNothingWritten(root);
  });

  it('a rerun removes the temporary folder of a merge that was killed', async () => {
    const root = scratch(ties('gpt2/base', 'gpt2/a'));
    const stale = path.join(root, '.out.tmp-999999999-deadbeef');
    cpSync(path.join(root, 'gpt2/a'), stale, { recursive: true });
    await merge(root);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(path.join(root, 'out', 'model.safetensors'))).toBe(true);
  });

  it('refuses to replace an existing folder unless told to', async () => {
    const root = scratch(ties('gpt2/base', 'gpt2/a'));
    await merge(root);
    await expect(merge(root)).rejects.toThrow('out already exists; pass overwrite to replace it');
    await expect(merge(root, ['--overwrite'])).resolves.toBe(0);
    expect(existsSync(path.join(root, 'out', 'model.safetensors'))).toBe(true);
  });
});
