import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, TINY_CLIP, tempDir } from '../fixtures.test.helpers.js';
import { ClipTokenizer } from './clip-tokenizer.js';

interface TokenCases {
  readonly bos_token_id: number;
  readonly eos_token_id: number;
  readonly cases: readonly { readonly text: string; readonly ids: readonly number[] }[];
}

const TOKENS: TokenCases = JSON.parse(readFileSync(join(FIXTURES, 'tokens.json'), 'utf8'));

describe('ClipTokenizer', () => {
  let tokenizer: ClipTokenizer;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tokenizer = await ClipTokenizer.fromFolder(TINY_CLIP);
  });

  it('knows the special token ids of the vocabulary', () => {
    expect(tokenizer.bosTokenId).toBe(TOKENS.bos_token_id);
    expect(tokenizer.eosTokenId).toBe(TOKENS.eos_token_id);
    expect(tokenizer.padTokenId).toBe(TOKENS.eos_token_id);
    expect(tokenizer.maxLength).toBe(77);
  });

  for (const { text, ids } of TOKENS.cases) {
    it(`encodes ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} as the reference does`, () => {
      expect(tokenizer.encode(text)).toEqual(ids);
    });
  }

  it('truncates to maxLength, keeping the end-of-text token', () => {
    const long = TOKENS.cases.find((c) => c.ids.length === 77)!;
    const ids = tokenizer.encode(long.text);
    expect(ids).toHaveLength(77);
    expect(ids.at(-1)).toBe(tokenizer.eosTokenId);
    const short = new ClipTokenizer(JSON.parse(readFileSync(join(TINY_CLIP, 'vocab.json'), 'utf8')), [], {
      maxLength: 4,
    });
    expect(short.encode('a b c d e')).toHaveLength(4);
  });

  it('pads batches after each text, to the longest row or to maxLength', () => {
    const batch = tokenizer.encodeBatch(['a photo of a cat.', '']);
    const rows = batch.arraySync() as number[][];
    expect(batch.dtype).toBe('int32');
    expect(rows[0]).toEqual(tokenizer.encode('a photo of a cat.'));
    expect(rows[1]).toEqual([
      tokenizer.bosTokenId,
      tokenizer.eosTokenId,
      ...Array(rows[0].length - 2).fill(tokenizer.padTokenId),
    ]);
    const full = tokenizer.encodeBatch(['x'], { padding: 'max_length' });
    expect(full.shape).toEqual([1, 77]);
    tf.dispose([batch, full]);
  });

  it('reads the padding token of special_tokens_map.json', async () => {
    const { dir, remove } = await tempDir();
    try {
      for (const file of ['vocab.json', 'merges.txt']) await copyFile(join(TINY_CLIP, file), join(dir, file));
      await writeFile(join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '!' } }));
      expect((await ClipTokenizer.fromFolder(dir)).padTokenId).toBe(0);
    } finally {
      await remove();
    }
  });

  it('names the missing file of an incomplete folder', async () => {
    const { dir, remove } = await tempDir();
    try {
      await expect(ClipTokenizer.fromFolder(dir)).rejects.toThrow(MergebenchError);
      await expect(ClipTokenizer.fromFolder(dir)).rejects.toThrow(`${join(dir, 'vocab.json')}: missing`);
    } finally {
      await remove();
    }
  });

  it('rejects a vocabulary without the special tokens', () => {
    expect(() => new ClipTokenizer({ a: 0 }, [])).toThrow('the vocabulary has no "<|startoftext|>"');
  });
});
