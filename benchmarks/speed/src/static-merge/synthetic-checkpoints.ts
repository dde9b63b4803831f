/**
 * Random checkpoints of one layout, written once into a cache folder: a pretrained model θ₀ and
 * fine-tuned models θᵢ = θ₀ + τᵢ whose task vectors are small next to θ₀, as real ones are.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRETRAINED, type RawTensor, writeSafetensors } from '@mergebench/core';
import type { Layout } from './vit-b32-layout.js';

/** Changing the generator changes this, so stale caches are rebuilt. */
const GENERATOR_VERSION = 1;
const MANIFEST = 'manifest.json';

/** xorshift32: fast enough for hundreds of millions of values. */
function fillRandom(out: Float32Array, seed: number, scale: number, base?: Float32Array): void {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  // The sum of two uniforms: a triangular distribution in (−scale, scale), centred on 0.
  for (let i = 0; i < out.length; i++) out[i] = (base ? base[i] : 0) + (next() + next() - 1) * scale;
}

function raw(values: Float32Array, shape: readonly number[]): RawTensor {
  return { dtype: 'F32', shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function modelNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `task${i}`);
}

/**
 * Makes sure `dir` holds `_pretrained_.safetensors` and `task0…` for this layout and count,
 * writing them when the cache is missing or stale. Returns the file paths, pretrained first.
 */
export async function ensureCheckpoints(dir: string, layout: Layout, count: number): Promise<string[]> {
  const manifest = JSON.stringify({ version: GENERATOR_VERSION, count, layout });
  const files = [PRETRAINED, ...modelNames(count)].map((name) => path.join(dir, `${name}.safetensors`));
  const fresh =
    existsSync(path.join(dir, MANIFEST)) &&
    (await readFile(path.join(dir, MANIFEST), 'utf8')) === manifest &&
    files.every((file) => existsSync(file));
  if (fresh) return files;

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pretrained = layout.map(([, shape], i) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fillRandom(values, 1000 + i, 0.05);
    return values;
  });
  const write = (file: string, values: Float32Array[]) =>
    writeSafetensors(file, new Map(layout.map(([key, shape], i) => [key, raw(values[i], shape)])));
  await write(files[0], pretrained);
  for (let m = 1; m < files.length; m++) {
    const tuned = layout.map((_, i) => {
      const values = new Float32Array(pretrained[i].length);
      fillRandom(values, (m << 16) + i, 0.002, pretrained[i]);
      return values;
    });
    await write(files[m], tuned);
    process.stderr.write(`wrote ${files[m]}\n`);
  }
  await writeFile(path.join(dir, MANIFEST), manifest);
  return files;
}
