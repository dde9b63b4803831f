/**
 * A per-tensor merge (key-merge.ts) over a model pool, written into the pool's pretrained model:
 * each key of θ₀ is read from every fine-tuned model, merged, and written in place, so the methods
 * defined per tensor (DARE, SLERP) run on every pool, as the task-vector methods do. Keys that are
 * not float (integer buffers) keep θ₀'s value.
 */
import {
  assertHasModels,
  check,
  type ModelPool,
  type Module,
  PRETRAINED,
  withWeights,
  writeInto,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { KeyMerge } from './key-merge.js';

export async function mergePoolKeys(
  pool: ModelPool,
  merge: KeyMerge,
  options: { readonly what: string; readonly models?: readonly string[] },
): Promise<Module> {
  const { what } = options;
  assertHasModels(pool, what);
  check(
    pool.hasPretrained,
    `${what}: the model pool has no ${PRETRAINED} model, which this method starts from`,
  );
  const names = options.models ?? pool.modelNames;
  const model = await pool.loadModel(PRETRAINED);
  const state = model.stateDict();
  await writeInto(model, what, (writer) =>
    withWeights(pool, names, async (sources) => {
      for (const [key, base] of state) {
        if (base.dtype !== 'float32') {
          await writer.write(key, base.clone());
          continue;
        }
        const tensors = await Promise.all(sources.map((source) => source.read(key)));
        try {
          for (const [i, t] of tensors.entries()) {
            check(
              t.shape.join() === base.shape.join(),
              () =>
                `${what}: model '${names[i]}': key '${key}' has shape [${t.shape}], expected [${base.shape}]`,
            );
          }
          const merged = merge({
            key,
            base: base.dataSync() as Float32Array,
            models: tensors.map((t) => t.dataSync() as Float32Array),
          });
          await writer.write(key, tf.tensor(merged, base.shape, 'float32'));
        } finally {
          tf.dispose(tensors);
        }
      }
    }),
  );
  return model;
}
