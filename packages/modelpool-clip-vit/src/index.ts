// @mergebench/modelpool-clip-vit: CLIP vision and text towers from Hugging Face checkpoints, the
// CLIP tokenizer, zero-shot heads, image preprocessing, and the `clip-vit` model pool.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { clipVitModelPool } from './pool/clip-vit-component.js';

export { loadClipLogitScale, loadClipTextModel } from './checkpoint/text-checkpoint.js';
export { type LoadVisionOptions, loadClipVisionModel } from './checkpoint/vision-checkpoint.js';
export {
  CLIP_TEXT_FIELDS,
  type ClipTextConfig,
  clipTextConfig,
  textConfigFromHf,
} from './config/text-config.js';
export {
  CLIP_VISION_FIELDS,
  type ClipVisionConfig,
  clipVisionConfig,
  hfVisionConfig,
  visionConfigFromHf,
} from './config/vision-config.js';
export { cachedZeroShotHead, loadZeroShotHead, saveZeroShotHead } from './heads/head-cache.js';
export {
  buildZeroShotHead,
  type PromptTemplate,
  ZeroShotHead,
  type ZeroShotOptions,
} from './heads/zero-shot-head.js';
export {
  CLIP_IMAGE_MEAN,
  CLIP_IMAGE_STD,
  type ClipImageConfig,
  preprocessImage,
  preprocessInto,
} from './image/preprocess.js';
export { ClipEncoder } from './nn/clip-encoder.js';
export { ClipEncoderLayer, type ClipEncoderSettings } from './nn/clip-encoder-layer.js';
export { ClipMlp } from './nn/clip-mlp.js';
export { ClipTextEmbeddings } from './nn/text-embeddings.js';
export { type ClipTextFeatures, ClipTextModelWithProjection } from './nn/text-model.js';
export { type ClipTextOutput, ClipTextTransformer } from './nn/text-transformer.js';
export { ClipVisionEmbeddings } from './nn/vision-embeddings.js';
export { type ClipImageFeatures, ClipVisionModelWithProjection } from './nn/vision-model.js';
export { type ClipVisionOutput, ClipVisionTransformer } from './nn/vision-transformer.js';
export { clipVitModelPool } from './pool/clip-vit-component.js';
export { ClipVitModelPool, type ClipVitPoolOptions } from './pool/clip-vit-model-pool.js';
export { saveClipVisionModel } from './pool/save-vision-model.js';
export {
  ClipTokenizer,
  type ClipTokenizerOptions,
  type EncodeBatchOptions,
} from './tokenizer/clip-tokenizer.js';

/** The presets folder shipped with the package (`configs/modelpool/clip-vit-b32.yaml`, …). */
const PRESETS_DIR = fileURLToPath(new URL('../configs', import.meta.url));

export default definePlugin({
  name: '@mergebench/modelpool-clip-vit',
  register(r) {
    r.modelpool(clipVitModelPool);
    r.presets(PRESETS_DIR);
  },
});
export { RandomClipPool } from './pool/random-clip-pool.js';
