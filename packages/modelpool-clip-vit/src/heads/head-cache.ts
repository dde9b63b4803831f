import { stat } from 'node:fs/promises';
import { MergebenchError, openSafetensors, writeSafetensors } from '@mergebench/core';
import { ZeroShotHead } from './zero-shot-head.js';

/** Metadata key holding the class names, as a JSON array. */
const CLASS_NAMES_KEY = 'class_names';

/** Writes a head as safetensors: `weight` [classes, P], `logit_scale` [], and the class names as metadata. */
export async function saveZeroShotHead(head: ZeroShotHead, file: string): Promise<void> {
  await writeSafetensors(file, head.stateDict(), {
    metadata: { format: 'pt', [CLASS_NAMES_KEY]: JSON.stringify(head.classNames) },
  });
}

/**
 * Reads a head saved by saveZeroShotHead. With `classNames`, the file must hold exactly those
 * classes in that order (a stale cache is an error, not a silent mismatch).
 */
export async function loadZeroShotHead(file: string, classNames?: readonly string[]): Promise<ZeroShotHead> {
  const source = await openSafetensors(file);
  try {
    const stored = parseClassNames(source.metadata?.[CLASS_NAMES_KEY], file);
    if (classNames && JSON.stringify(classNames) !== JSON.stringify(stored)) {
      throw new MergebenchError(
        `${file}: holds a head for classes ${JSON.stringify(stored).slice(0, 120)}, expected ${JSON.stringify(classNames).slice(0, 120)}`,
      );
    }
    for (const key of ['weight', 'logit_scale']) {
      if (!source.has(key))
        throw new MergebenchError(`${file}: no tensor '${key}' (not a zero-shot head file)`);
    }
    const scale = await source.read('logit_scale');
    const logitScale = scale.dataSync()[0];
    scale.dispose();
    return new ZeroShotHead(await source.read('weight'), logitScale, stored);
  } finally {
    await source.close();
  }
}

function parseClassNames(value: string | undefined, file: string): string[] {
  let names: unknown;
  try {
    names = value === undefined ? undefined : JSON.parse(value);
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    throw new MergebenchError(`${file}: metadata ${CLASS_NAMES_KEY} must be a JSON array of class names`);
  }
  return names;
}

/** Loads the head cached in `file` when it exists (for these classes), else builds it and caches it there. */
export async function cachedZeroShotHead(
  file: string,
  classNames: readonly string[],
  build: () => ZeroShotHead | Promise<ZeroShotHead>,
): Promise<ZeroShotHead> {
  const exists = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (exists) return loadZeroShotHead(file, classNames);
  const head = await build();
  await saveZeroShotHead(head, file);
  return head;
}
