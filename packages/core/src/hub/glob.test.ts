import { describe, expect, it } from 'vitest';
import { matchesAny } from './glob.js';

describe('matchesAny (fnmatch, as huggingface_hub allow_patterns)', () => {
  it('lets * cross folders, ? match one character and [..] sets', () => {
    expect(matchesAny('config.json', ['*.json'])).toBe(true);
    expect(matchesAny('text_encoder/config.json', ['*.json'])).toBe(true);
    expect(matchesAny('model.safetensors.index.json', ['*.safetensors'])).toBe(false);
    expect(matchesAny('data/test-00000.parquet', ['data/test-*'])).toBe(true);
    expect(matchesAny('data/train-00000.parquet', ['data/test-*'])).toBe(false);
    expect(matchesAny('a1.txt', ['a?.txt'])).toBe(true);
    expect(matchesAny('a1.txt', ['a[!0-9].txt'])).toBe(false);
    expect(matchesAny('ab.txt', ['a[a-c].txt'])).toBe(true);
    expect(matchesAny('configXjson', ['config.json'])).toBe(false);
  });

  it('reads a pattern ending in / as everything under that folder', () => {
    expect(matchesAny('onnx/model.onnx', ['onnx/'])).toBe(true);
    expect(matchesAny('model.onnx', ['onnx/'])).toBe(false);
  });
});
