import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bumped when the way heads are built changes, so older cache files are not reused. */
const HEAD_FORMAT = 1;

/**
 * What identifies a CLIP model's weights without reading them: its config.json and, per weights
 * file, its real path (a Hub snapshot's blob name is the file's hash), size and modification time.
 */
export async function modelFingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(dir, 'config.json')));
  const names = (await readdir(dir))
    .filter((n) => n.endsWith('.safetensors') || n.endsWith('.index.json'))
    .sort();
  for (const name of names) {
    const file = await realpath(join(dir, name));
    const { size, mtimeMs } = await stat(file);
    hash.update(`\n${name}:${file}:${size}:${mtimeMs}`);
  }
  return hash.digest('hex');
}

/** The cache file name of one task's head: a different model, class list or template list gives another name. */
export function headCacheName(
  task: string,
  model: string,
  classNames: readonly string[],
  templates: readonly string[],
): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ format: HEAD_FORMAT, model, classNames, templates }))
    .digest('hex')
    .slice(0, 16);
  return `${task.replace(/[^A-Za-z0-9_.-]/g, '_')}-${key}.safetensors`;
}
