import {
  check,
  formatShape,
  listNames,
  MergebenchError,
  type Module,
  openSafetensors,
  sameShape,
  writeSafetensors,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** The file a run writes its trained routers to, in the run's folder. */
export const ROUTERS_FILE = 'routers.safetensors';

/**
 * The trainable variables of an upscaled model, by parameter name: the routers' weights (a
 * router shared by several layers appears once, under its first name).
 */
export function routerVariables(model: Module): Map<string, tf.Variable> {
  return new Map([...model.namedParameters()].filter(([, variable]) => variable.trainable));
}

/** Writes the routers' weights as safetensors, atomically. */
export async function writeRouterFile(
  path: string,
  routers: ReadonlyMap<string, tf.Variable>,
): Promise<void> {
  await writeSafetensors(path, routers, { metadata: { format: 'mergebench.wemoe-routers/1' } });
}

/**
 * Loads router weights saved by writeRouterFile into `routers`; the file must hold exactly these
 * names with these shapes (the same model pool, method and router settings).
 */
export async function readRouterFile(path: string, routers: ReadonlyMap<string, tf.Variable>): Promise<void> {
  let file: Awaited<ReturnType<typeof openSafetensors>>;
  try {
    file = await openSafetensors(path);
  } catch (error) {
    if (error instanceof MergebenchError) throw error;
    throw new MergebenchError(`${path}: cannot read the routers file (${(error as Error).message})`);
  }
  try {
    const keys = file.keys();
    const missing = [...routers.keys()].filter((key) => !keys.includes(key));
    const unexpected = keys.filter((key) => !routers.has(key));
    check(
      missing.length === 0 && unexpected.length === 0,
      () =>
        `${path}: the routers do not fit this model (missing: ${listNames(missing, 3)}; unexpected: ${listNames(unexpected, 3)})`,
    );
    for (const [key, variable] of routers) {
      const shape = file.info(key).shape;
      check(
        sameShape(shape, variable.shape),
        () =>
          `${path}: '${key}' has shape ${formatShape(shape)}, the model's router has ${formatShape(variable.shape)}`,
      );
    }
    for (const [key, variable] of routers) {
      const value = await file.read(key);
      tf.tidy(() => variable.assign(tf.cast(value, 'float32')));
      value.dispose();
    }
  } finally {
    await file.close();
  }
}
