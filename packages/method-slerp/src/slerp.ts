import type { ModelPool, Module } from '@mergebench/core';
import { check } from '@mergebench/core';
import { mergePoolKeys, slerpKeyMerge } from '@mergebench/task-vectors';

/**
 * SLERP between the pretrained model (t = 0) and one fine-tuned model (t = 1), per tensor, with
 * linear interpolation where the two are nearly parallel (mergekit's slerp; see
 * @mergebench/task-vectors slerp-key.ts). `model` names the fine-tuned model; without it the pool
 * must list exactly one.
 */
export async function mergeSlerp(pool: ModelPool, t: number, model?: string): Promise<Module> {
  const names = pool.modelNames;
  if (model === undefined)
    check(
      names.length === 1,
      () =>
        `method slerp: interpolates the pretrained model and one fine-tuned model; the pool lists ${names.length} (${names.join(', ')}): name one with method.model`,
    );
  else
    check(names.includes(model), () => `method.model: '${model}' is not in the pool (${names.join(', ')})`);
  return mergePoolKeys(pool, slerpKeyMerge(t), { what: 'method slerp', models: [model ?? names[0]] });
}
