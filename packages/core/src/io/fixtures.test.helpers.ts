// Shared by the io tests (the `.test.` in the name keeps it out of the published files).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** packages/core/fixtures/safetensors, written by tools/reference/safetensors_fixtures.py. */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/safetensors/', import.meta.url));
export const DTYPES_FILE = join(FIXTURES, 'dtypes.safetensors');
export const SHARDED_DIR = join(FIXTURES, 'sharded');

type JsonValue = number | 'nan' | 'inf' | '-inf';
export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: JsonValue[];
  shard?: string;
}
export interface Expected {
  dtypes: {
    metadata: Record<string, string>;
    tensors: Record<string, ExpectedTensor>;
    order: string[];
    rounding_count: number;
  };
  sharded: { total_size: number; tensors: Record<string, ExpectedTensor>; order: string[] };
}

export async function loadExpected(): Promise<Expected> {
  return JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8'));
}

/**
 * Values as comparable tokens: NaN → 'nan', -0 → '-0', ±Infinity → 'inf'/'-inf', others as is,
 * so that toEqual tells NaN, -0 and +0 apart and prints readable diffs.
 */
export function tokens(values: ArrayLike<number | string | boolean>): (number | string)[] {
  return Array.from(values as ArrayLike<number | string | boolean>, (v) => {
    if (typeof v === 'string') return v;
    const n = Number(v);
    if (Number.isNaN(n)) return 'nan';
    if (n === Infinity) return 'inf';
    if (n === -Infinity) return '-inf';
    if (Object.is(n, -0)) return '-0';
    return n;
  });
}

/** Creates a temporary folder that is removed after the current test. */
export function tmpDirs(): { make: () => Promise<string> } {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mergebench-io-'));
      dirs.push(dir);
      return dir;
    },
  };
}

/** Names in a folder, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}
