/**
 * The `weights` model pool for `mergebench run`: Hugging Face folders or Hub ids of any
 * architecture, merged by the static methods (simple and weighted average, task arithmetic,
 * TIES, ...) through `openWeights`, with no forward pass. The layout of every model is checked
 * against `_pretrained_` (or the first model) when the pool opens, before a method runs.
 */
import { type Component, MergebenchError, type ModelPool, PRETRAINED, WeightsPool } from '@mergebench/core';
import { assertSameLayout } from './layout-check.js';
import { openMergeModels } from './open-merge-models.js';

export async function openWeightsPool(
  models: Record<string, unknown>,
  baseDir: string,
): Promise<WeightsPool> {
  const names = Object.keys(models);
  if (names.length === 0) throw new MergebenchError('modelpool.models: expected at least one model');
  for (const name of names) {
    if (typeof models[name] !== 'string')
      throw new MergebenchError(`modelpool.models.${name}: expected a folder path or Hub id`);
  }
  const ordered = [...names.filter((n) => n === PRETRAINED), ...names.filter((n) => n !== PRETRAINED)];
  const { models: opened, close } = await openMergeModels(
    { base: undefined, models: ordered.map((name) => ({ model: models[name] as string })) },
    baseDir,
  );
  try {
    assertSameLayout(opened[0], opened.slice(1));
    return WeightsPool.fromCheckpoints(new Map(ordered.map((name, i) => [name, opened[i].dir])));
  } finally {
    await close();
  }
}

export const weightsModelPool: Component<ModelPool> = {
  info: {
    kind: 'modelpool',
    name: 'weights',
    description:
      'Any Hugging Face model (Llama, Mistral, Qwen, GPT-2, ViT, CLIP, ...) as bare weights: config.json plus model.safetensors or a sharded index; for static merges, no forward pass.',
    params: [
      {
        name: 'models',
        type: 'record',
        description:
          '_pretrained_ and model names mapped to Hugging Face model folders (relative to the config file) or Hub ids (owner/name[@revision]) read from the Hugging Face cache',
      },
    ],
  },
  create: ({ params, baseDir }) => openWeightsPool(params.models as Record<string, unknown>, baseDir),
};
