import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MergebenchError } from '../errors.js';

const TFJS = '@tensorflow/tfjs/package.json';

/** The real folder of the `@tensorflow/tfjs` that code in `fromFile`'s folder would import, if any. */
function tfjsFolder(fromFile: string): string | undefined {
  try {
    return path.dirname(realpathSync(createRequire(fromFile).resolve(TFJS)));
  } catch {
    return undefined;
  }
}

/**
 * Refuses a plugin that would import another copy of TensorFlow.js than mergebench's own (a
 * `link:` install, or a plugin with tfjs in its own dependencies): two copies do not share a
 * backend, and importing the second prints hundreds of "kernel already registered" warnings.
 * Checked before the plugin is imported, so the user sees one line naming both copies.
 */
export function checkSingleTfjs(pluginName: string, pluginDir: string): void {
  const mine = tfjsFolder(fileURLToPath(import.meta.url));
  const theirs = tfjsFolder(path.join(pluginDir, 'package.json'));
  if (!mine || !theirs || mine === theirs) return;
  throw new MergebenchError(
    `plugin ${pluginName} would load a second copy of @tensorflow/tfjs (${theirs}) beside mergebench's (${mine}); make tfjs a peer dependency of the plugin and install it with file: or from a registry (not link:), so one copy is shared`,
  );
}
