/**
 * The non-weight files of a model folder (tokenizer, generation config, chat template, README)
 * copied into the merged folder, as mergekit does with `tokenizer_source: base`. Weights in any
 * format and config.json (written separately) are not copied.
 */
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const WEIGHT_FILE = /\.(safetensors|bin|pt|pth|ckpt|h5|msgpack|gguf|onnx)$|\.index\.json$/;

export async function copyNonWeightFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const entry of await readdir(from, { withFileTypes: true })) {
    // Hub cache snapshots hold symbolic links to blobs: follow them.
    if (!(entry.isFile() || entry.isSymbolicLink())) continue;
    if (entry.name === 'config.json' || entry.name.startsWith('.') || WEIGHT_FILE.test(entry.name)) continue;
    await copyFile(join(from, entry.name), join(to, entry.name));
    copied.push(entry.name);
  }
  return copied.sort();
}
