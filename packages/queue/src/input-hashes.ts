import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { COSMETIC_CONFIG_KEYS, MergebenchError } from '@mergebench/core';

/** A file or folder a run reads, named as its config names it, with the SHA-256 of its content. */
export interface InputHash {
  /** The config key that names it, e.g. `modelpool.models._pretrained_`. */
  readonly key: string;
  /** The path as written in the config (relative ones resolve against the run's base folder). */
  readonly path: string;
  readonly sha256: string;
}

// Hashing a checkpoint of gigabytes takes seconds: one hash per file state and process.
const cache = new Map<string, string>();

async function fileHash(file: string): Promise<string> {
  const { size, mtimeMs, ino } = statSync(file);
  const id = `${file}\0${size}\0${mtimeMs}\0${ino}`;
  const known = cache.get(id);
  if (known) return known;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const hex = hash.digest('hex');
  cache.set(id, hex);
  return hex;
}

/** Every file under a folder, relative, sorted, so that the folder's hash is independent of order. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** SHA-256 of a file's bytes, or of a folder's (relative name, file hash) list. */
export async function contentHash(target: string): Promise<string> {
  if (!statSync(target).isDirectory()) return fileHash(target);
  const hash = createHash('sha256');
  for (const rel of filesUnder(target))
    hash.update(`${rel.split(path.sep).join('/')}\0${await fileHash(path.join(target, rel))}\n`);
  return hash.digest('hex');
}

const cosmetic = new Set(COSMETIC_CONFIG_KEYS.map((k) => k.join('.')));

/** Strings of a config that may name a file: those with a slash or a file extension. */
function pathLike(value: string): boolean {
  return value.includes('/') || /\.[a-z0-9]{1,12}$/i.test(value);
}

function walk(value: unknown, key: string, out: { key: string; value: string }[]): void {
  if (cosmetic.has(key) || key === 'plugins') return;
  if (typeof value === 'string') out.push({ key, value });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, `${key}[${i}]`, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k, out);
}

/**
 * The inputs a resolved config names: every string value that is an existing file or folder,
 * relative to `baseDir` (checkpoints, heads, data folders). Names that are no paths (task names,
 * Hugging Face repositories read from a cache) are not inputs here.
 */
export async function collectInputs(
  config: Readonly<Record<string, unknown>>,
  baseDir: string,
): Promise<InputHash[]> {
  const strings: { key: string; value: string }[] = [];
  walk(config, '', strings);
  const inputs: InputHash[] = [];
  for (const { key, value } of strings) {
    if (!pathLike(value)) continue;
    const target = path.resolve(baseDir, value);
    if (!existsSync(target)) continue;
    inputs.push({ key, path: value, sha256: await contentHash(target) });
  }
  return inputs;
}

/**
 * Checks a worker's copy of a job's inputs, resolved against its own base folder: a missing
 * input or one with other content fails with one line naming it and both hashes, so that a run
 * never goes on silently with other weights.
 */
export async function checkInputs(inputs: readonly InputHash[], baseDir: string): Promise<void> {
  for (const input of inputs) {
    const target = path.resolve(baseDir, input.path);
    if (!existsSync(target))
      throw new MergebenchError(
        `input ${input.path} (${input.key}) is missing on this worker: looked for ${target}`,
      );
    const actual = await contentHash(target);
    if (actual !== input.sha256)
      throw new MergebenchError(
        `input ${input.path} (${input.key}): content hash mismatch: ${actual.slice(0, 16)}… on this worker (${target}), the job expects ${input.sha256.slice(0, 16)}…; not running on other weights`,
      );
  }
}
