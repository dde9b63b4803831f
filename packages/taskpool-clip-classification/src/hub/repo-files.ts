import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file under `root` as a `/`-separated relative path, sorted. Symbolic links are followed
 * (a Hub cache snapshot links each file to its blob); hidden folders (`.git`, `.cache`) are skipped.
 */
export async function listRepoFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const isDir = entry.isSymbolicLink()
        ? await stat(path).then(
            (s) => s.isDirectory(),
            () => false,
          )
        : entry.isDirectory();
      if (isDir) await walk(path, `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}`);
    }
  }
  await walk(root, '');
  return out.sort();
}

/** A Hub `data_files` glob (`data/test-*`, `**\/*.parquet`) as a regular expression over relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source.replace(/^\.\//, '')}$`);
}
