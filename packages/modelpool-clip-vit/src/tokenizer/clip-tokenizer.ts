import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { check, MergebenchError } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { basicTokenize } from './basic-tokenize.js';
import { BytePairEncoder } from './bpe.js';
import { encodeBytes } from './bytes-to-unicode.js';
import { preTokenize } from './pre-tokenize.js';

const START_OF_TEXT = '<|startoftext|>';
const END_OF_TEXT = '<|endoftext|>';
const VOCAB_FILE = 'vocab.json';
const MERGES_FILE = 'merges.txt';
const SPECIAL_TOKENS_FILE = 'special_tokens_map.json';

/** CLIP's merges file holds more lines than the model uses; only the first 48,894 merges count. */
const MAX_MERGES = 49152 - 256 - 2;

const SPECIALS_IN_TEXT = /(<\|startoftext\|>|<\|endoftext\|>)/;

export interface ClipTokenizerOptions {
  /** Sequences are truncated to this many ids, start and end tokens included (default 77). */
  readonly maxLength?: number;
  /** The padding token (default `<|endoftext|>`, as OpenAI's CLIP tokenizers pad). */
  readonly padToken?: string;
}

export interface EncodeBatchOptions {
  /** `longest` (default) pads to the longest row, `max_length` to maxLength. */
  readonly padding?: 'longest' | 'max_length';
}

/**
 * CLIP's byte-level BPE tokenizer with the semantics of Hugging Face's CLIPTokenizer without
 * ftfy: special tokens written in the text are kept as such; the rest is cleaned (see
 * basicTokenize), split into words by CLIP's pattern, byte-encoded and merged by BPE; ids are
 * wrapped in <|startoftext|> … <|endoftext|> and truncated to maxLength. Unknown symbols map to
 * <|endoftext|>, CLIP's unknown token.
 */
export class ClipTokenizer {
  readonly maxLength: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #bpe: BytePairEncoder;

  constructor(
    vocab: Readonly<Record<string, number>>,
    merges: readonly (readonly [string, string])[],
    { maxLength = 77, padToken = END_OF_TEXT }: ClipTokenizerOptions = {},
  ) {
    check(
      Number.isInteger(maxLength) && maxLength >= 2,
      () => `ClipTokenizer: maxLength must be an integer ≥ 2, got ${maxLength}`,
    );
    this.#vocab = new Map(Object.entries(vocab));
    this.#bpe = new BytePairEncoder(merges.slice(0, MAX_MERGES));
    this.maxLength = maxLength;
    this.bosTokenId = this.#id(START_OF_TEXT);
    this.eosTokenId = this.#id(END_OF_TEXT);
    this.padTokenId = this.#id(padToken);
  }

  /**
   * Reads `vocab.json` and `merges.txt` of a Hugging Face CLIP folder, and the padding token of
   * `special_tokens_map.json` when there is one.
   */
  static async fromFolder(dir: string, options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
    const vocab = parseVocab(await readText(join(dir, VOCAB_FILE)), join(dir, VOCAB_FILE));
    const merges = parseMerges(await readText(join(dir, MERGES_FILE)), join(dir, MERGES_FILE));
    const padToken = options.padToken ?? (await readPadToken(join(dir, SPECIAL_TOKENS_FILE)));
    return new ClipTokenizer(vocab, merges, { ...options, padToken });
  }

  #id(token: string): number {
    const id = this.#vocab.get(token);
    if (id === undefined)
      throw new MergebenchError(`ClipTokenizer: the vocabulary has no ${JSON.stringify(token)}`);
    return id;
  }

  /** The BPE symbols of a text, without start and end tokens. */
  tokenize(text: string): string[] {
    const symbols: string[] = [];
    for (const part of text.split(SPECIALS_IN_TEXT)) {
      if (part === START_OF_TEXT || part === END_OF_TEXT) {
        symbols.push(part);
        continue;
      }
      for (const word of preTokenize(basicTokenize(part).join(' '))) {
        if (word === START_OF_TEXT || word === END_OF_TEXT) symbols.push(word);
        else symbols.push(...this.#bpe.encode(encodeBytes(word)));
      }
    }
    return symbols;
  }

  /** [<|startoftext|>, …ids of the text, <|endoftext|>], truncated to maxLength. */
  encode(text: string): number[] {
    const ids = this.tokenize(text)
      .slice(0, this.maxLength - 2)
      .map((symbol) => this.#vocab.get(symbol) ?? this.eosTokenId);
    return [this.bosTokenId, ...ids, this.eosTokenId];
  }

  /** Token ids of several texts as an int32 tensor [texts, L], padded with padTokenId after each text. */
  encodeBatch(texts: readonly string[], { padding = 'longest' }: EncodeBatchOptions = {}): tf.Tensor2D {
    const rows = texts.map((text) => this.encode(text));
    const length = padding === 'max_length' ? this.maxLength : Math.max(2, ...rows.map((row) => row.length));
    const ids = new Int32Array(rows.length * length).fill(this.padTokenId);
    for (const [i, row] of rows.entries()) ids.set(row, i * length);
    return tf.tensor2d(ids, [rows.length, length], 'int32');
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MergebenchError(`${path}: missing (a CLIP tokenizer needs it)`);
    throw new MergebenchError(`${path}: cannot read (${(err as Error).message})`);
  }
}

function parseVocab(text: string, path: string): Record<string, number> {
  let vocab: unknown;
  try {
    vocab = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    throw new MergebenchError(`${path}: expected an object mapping tokens to ids`);
  }
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) {
      throw new MergebenchError(
        `${path}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, expected a non-negative integer`,
      );
    }
  }
  return vocab as Record<string, number>;
}

/** Merge lines after the `#version` header line, one `first second` pair per line. */
function parseMerges(text: string, path: string): [string, string][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line, index) => {
      const pair = line.trim().split(/\s+/);
      if (pair.length !== 2) {
        throw new MergebenchError(
          `${path}: line ${index + 2} is ${JSON.stringify(line)}, expected two symbols`,
        );
      }
      return pair as [string, string];
    });
}

async function readPadToken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MergebenchError(`${path}: cannot read (${(err as Error).message})`);
  }
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  const pad = (map as Record<string, unknown> | null)?.pad_token;
  if (pad === undefined) return undefined;
  if (typeof pad === 'string') return pad;
  const content = (pad as { content?: unknown } | null)?.content;
  if (typeof content === 'string') return content;
  throw new MergebenchError(
    `${path}: pad_token is ${JSON.stringify(pad)}, expected a string or {"content": string}`,
  );
}
