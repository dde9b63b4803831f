import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INDEX_FILE, openCheckpoint, openSafetensors } from '@mergebench/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCommand } from './merge-command.js';

const CASES = fileURLToPath(new URL('../fixtures/cases/', import.meta.url));

function io(cwd: string) {
  const lines: string[] = [];
  return { io: { cwd, out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) }, lines };
}

// Both loops, whichever a machine would pick: the native ones (@mergebench/merge-loops, an error
// here if its addon is not built) and the JavaScript fallback.
describe.each(['native', 'js'])(
  'bit parity with the PyTorch transcription of mergekit (tools/reference/mergekit_fixtures.py), %s loops',
  (loops) => {
    const before = process.env.MERGEBENCH_MERGE_LOOPS;
    beforeAll(() => {
      process.env.MERGEBENCH_MERGE_LOOPS = loops;
    });
    afterAll(() => {
      if (before === undefined) delete process.env.MERGEBENCH_MERGE_LOOPS;
      else process.env.MERGEBENCH_MERGE_LOOPS = before;
    });
    it.each(readdirSync(CASES))('%s', async (name) => {
      const dir = path.join(CASES, name);
      const { seed } = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as { seed: number };
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'mb-merge-')), 'merged');
      const { io: commandIo, lines } = io(dir);
      const code = await mergeCommand.run(
        ['config.yaml', out, '--max-shard-size', '3000B', '--seed', String(seed)],
        commandIo,
      );
      expect(code).toBe(0);
      expect(lines[0]).toMatch(/^merged \d models/);
      const merged = await openCheckpoint(out);
      const expected = await openSafetensors(path.join(dir, 'expected.safetensors'));
      try {
        expect(merged.keys().sort()).toEqual(expected.keys().sort());
        for (const key of expected.keys()) {
          const got = await merged.readRaw(key);
          const want = await expected.readRaw(key);
          expect({ key, dtype: got.dtype, shape: got.shape }).toEqual({
            key,
            dtype: want.dtype,
            shape: want.shape,
          });
          expect(Buffer.from(got.data).equals(Buffer.from(want.data)), key).toBe(true);
        }
      } finally {
        await merged.close();
        await expected.close();
      }
      expect(existsSync(path.join(out, INDEX_FILE))).toBe(true);
      for (const file of [
        'config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'special_tokens_map.json',
      ])
        expect(existsSync(path.join(out, file)), file).toBe(true);
    });
  },
);
