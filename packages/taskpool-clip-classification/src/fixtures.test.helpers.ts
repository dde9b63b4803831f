import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterEach } from 'vitest';

/** The package's committed fixtures (written by scripts/make-fixtures.mjs). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** The tiny random CLIPModel folder of @mergebench/modelpool-clip-vit's fixtures. */
export const TINY_CLIP = fileURLToPath(
  new URL('../../modelpool-clip-vit/fixtures/tiny-clip', import.meta.url),
);

export const EUROSAT = join(FIXTURES, 'tanganke-eurosat');
export const SVHN = join(FIXTURES, 'ufldl-stanford-svhn');
export const PCAM = join(FIXTURES, '1aurent-PatchCamelyon');
export const FER = join(FIXTURES, 'clip-benchmark-wds_fer2013');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clip-cls-'));
  made.push(dir);
  return dir;
}

/** A copy of a fixture folder in a temporary folder (to break it on purpose). */
export function copyFixture(source: string): string {
  const dir = join(tempDir(), 'repo');
  cpSync(source, dir, { recursive: true });
  return dir;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(dir, f)).isFile(),
  );
}

/**
 * Puts `source` into a Hugging Face hub cache as huggingface_hub lays it out:
 * `<cache>/<type>s--owner--name/refs/main` holding the commit, `snapshots/<commit>/<path>` links
 * to `blobs/<sha256>`. Returns the snapshot folder.
 */
export function addToHubCache(cache: string, type: 'dataset' | 'model', id: string, source: string): string {
  const repo = join(cache, `${type}s--${id.replaceAll('/', '--')}`);
  const commit = createHash('sha1').update(id).digest('hex');
  const snapshot = join(repo, 'snapshots', commit);
  for (const file of listFiles(source)) {
    const bytes = readFileSync(join(source, file));
    const blob = join(repo, 'blobs', createHash('sha256').update(bytes).digest('hex'));
    mkdirSync(dirname(blob), { recursive: true });
    writeFileSync(blob, bytes);
    const link = join(snapshot, file);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), blob), link);
  }
  mkdirSync(join(repo, 'refs'), { recursive: true });
  writeFileSync(join(repo, 'refs', 'main'), commit);
  return snapshot;
}

/** A shard with an image struct column and a label column named as asked. */
export function writeShard(file: string, images: unknown[], labels: bigint[], labelColumn = 'label'): void {
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'image', data: images },
      { name: labelColumn, data: BigInt64Array.from(labels) },
    ],
    schema: [
      { name: 'schema', num_children: 2 },
      { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: labelColumn, type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
  });
}
