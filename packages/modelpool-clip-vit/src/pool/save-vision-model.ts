import { MergebenchError, type Module, MultiHeadAttention, saveHfFolder } from '@mergebench/core';
import { hfVisionConfig } from '../config/vision-config.js';
import { ClipEncoderLayer } from '../nn/clip-encoder-layer.js';
import { ClipMlp } from '../nn/clip-mlp.js';
import { ClipVisionModelWithProjection } from '../nn/vision-model.js';

const PLAIN_BLOCK = { layer: ClipEncoderLayer, attention: MultiHeadAttention, mlp: ClipMlp } as const;

/**
 * Saves a CLIP vision model as a Hugging Face CLIPVisionModelWithProjection folder (config.json +
 * model.safetensors) that this package and transformers load. A model whose blocks a method
 * replaced (an upscaled MoE) has no such form and is refused.
 */
export async function saveClipVisionModel(
  model: Module,
  dir: string,
  { overwrite = false }: { overwrite?: boolean } = {},
): Promise<void> {
  if (!(model instanceof ClipVisionModelWithProjection)) {
    throw new MergebenchError(
      `cannot save a ${model.constructor.name} to ${dir}: expected a ClipVisionModelWithProjection`,
    );
  }
  for (const site of model.sites()) {
    const block = model.getSubmodule(site.path);
    if (!(block instanceof PLAIN_BLOCK[site.kind])) {
      throw new MergebenchError(
        `cannot save to ${dir}: ${site.path} is a ${block.constructor.name}, not a plain CLIP block, and has no Hugging Face form`,
      );
    }
  }
  await saveHfFolder(dir, { config: hfVisionConfig(model.config), tensors: model.stateDict(), overwrite });
}
