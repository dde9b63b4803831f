import { type Component, hasService, type ModelPool, resolveService, TOKENS } from '@mergebench/core';
import { ClipVitModelPool } from './clip-vit-model-pool.js';
import { clipModelDownloads } from './hub-downloads.js';

const DATASETS_HINT =
  'data sets belong to the task pool (taskpool=CLIPVisionModelTaskPool/clip-vit-classification_TA8 and friends)';

/** The `clip-vit` model pool component. */
export const clipVitModelPool: Component<ModelPool> = {
  info: {
    kind: 'modelpool',
    name: 'clip-vit',
    description:
      'CLIP vision transformers (ViT-B/32, B/16, L/14, …) from Hugging Face folders or Hub ids: the pretrained model and its fine-tuned versions.',
    params: [
      {
        name: 'models',
        type: 'record',
        description:
          '_pretrained_ and task names mapped to Hugging Face model folders (config.json + safetensors, relative to the config file) or Hub ids (owner/name[@revision]) read from the Hugging Face cache',
        // FusionBench's CLIPVisionModelPool keys: what the pool does anyway passes, data sets do not.
        foreignNames: {
          processor: { accepts: 'any', hint: 'images are preprocessed by the task pool' },
          platform: { accepts: ['hf'], hint: 'models are Hugging Face folders or Hub ids' },
          train_datasets: { hint: DATASETS_HINT },
          val_datasets: { hint: DATASETS_HINT },
          test_datasets: { hint: DATASETS_HINT },
        },
      },
      {
        name: 'config',
        type: 'record',
        nullable: true,
        default: null,
        description: 'CLIPVisionConfig fields that replace those of every folder, e.g. {hidden_act: gelu}',
      },
    ],
    paper: {
      title: 'Learning Transferable Visual Models From Natural Language Supervision (CLIP)',
      url: 'https://arxiv.org/abs/2103.00020',
    },
    downloads: (params) => clipModelDownloads(params.models as Record<string, unknown>),
  },
  create: ({ params, baseDir, container }) =>
    ClipVitModelPool.open({
      models: params.models as Record<string, unknown>,
      config: params.config as Record<string, unknown> | null,
      baseDir,
      logger: hasService(container, TOKENS.logger) ? resolveService(container, TOKENS.logger) : undefined,
    }),
};
