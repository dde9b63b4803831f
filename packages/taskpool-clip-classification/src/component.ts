import {
  type Component,
  check,
  type HubDownload,
  looksLikeHubId,
  type ParamValues,
  type TaskPool,
} from '@mergebench/core';
import { CORRUPTION_PARAMS, corruptionOf } from '@mergebench/image-corruptions';
import { datasetSpec, TASK_NAMES, TASK_SETS } from './catalog/dataset-table.js';
import {
  type ClipClassificationOptions,
  ClipClassificationTaskPool,
  type DataOverride,
} from './task-pool.js';

/** Files of a CLIPModel repository the heads and the preprocessing read. */
export const CLIP_MODEL_FILES: readonly string[] = [
  'config.json',
  '*.json',
  'vocab.json',
  'merges.txt',
  'model.safetensors',
];

const OVERRIDE_KEYS = ['path', 'config', 'image_column', 'label_column'];

/** `taskpool.data`: per task a path or Hub id, or a mapping of DataOverride keys. */
function dataOverrides(params: ParamValues): Record<string, string | DataOverride> {
  const out: Record<string, string | DataOverride> = {};
  for (const [task, value] of Object.entries((params.data ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value !== '') {
      out[task] = value;
      continue;
    }
    check(
      typeof value === 'object' && value !== null && !Array.isArray(value),
      () =>
        `taskpool.data.${task}: expected a path, a Hub id or a mapping (${OVERRIDE_KEYS.join(', ')}), got ${JSON.stringify(value)}`,
    );
    for (const [key, v] of Object.entries(value)) {
      check(
        OVERRIDE_KEYS.includes(key),
        () => `taskpool.data.${task}.${key}: unknown key; expected one of ${OVERRIDE_KEYS.join(', ')}`,
      );
      check(
        typeof v === 'string' && v !== '',
        () => `taskpool.data.${task}.${key}: expected a non-empty string`,
      );
    }
    out[task] = value as DataOverride;
  }
  return out;
}

/** The Hub files a run with these parameters reads: each task's card and split shards, and the CLIP model's files. */
export function clipClassificationDownloads(params: ParamValues): HubDownload[] {
  const downloads: HubDownload[] = [];
  const overrides = dataOverrides(params);
  for (const task of params.tasks as string[]) {
    const spec = datasetSpec(task);
    if (!spec) continue; // create() reports unknown tasks
    const override = overrides[task];
    const location = typeof override === 'string' ? override : override?.path;
    if (location !== undefined && !looksLikeHubId(location.split('@')[0])) continue;
    const [id, revision] = (location ?? spec.repo).split('@', 2);
    const config = typeof override === 'object' && override.config ? override.config : spec.config;
    const splits = [(params.test_split as string | null) ?? spec.testSplit];
    if (params.download_train) splits.push((params.train_split as string | null) ?? spec.trainSplit);
    const folder = config && config !== 'default' ? config : 'data';
    const include =
      spec.format === 'parquet'
        ? ['README.md', ...splits.map((split) => `${folder}/${split}-*.parquet`)]
        : ['README.md', 'classnames.txt', ...splits.map((split) => `${split}/*.tar`)];
    downloads.push({ repo: { id, type: 'dataset', ...(revision && { revision }) }, include });
  }
  const clipModel = params.clip_model as string | null;
  if (clipModel !== null && looksLikeHubId(clipModel.split('@')[0])) {
    const [id, revision] = clipModel.split('@', 2);
    downloads.push({ repo: { id, type: 'model', ...(revision && { revision }) }, include: CLIP_MODEL_FILES });
  }
  return downloads;
}

export const clipClassificationTaskPool: Component<TaskPool> = {
  info: {
    kind: 'taskpool',
    name: 'clip-classification',
    description:
      "CLIP zero-shot classification on the Hugging Face data sets of TA8, TALL14 and TALL20 (parquet shards or WebDataset tars, read from a folder or the Hub cache), with heads from the CLIP model's text tower.",
    params: [
      {
        name: 'tasks',
        type: 'string[]',
        default: TASK_SETS.TA8,
        description: `Tasks to evaluate, by FusionBench's names: ${TASK_NAMES.join(', ')}.`,
      },
      {
        name: 'data',
        type: 'record',
        default: {},
        description:
          "Per task, where its data set is instead of the table's Hub repository in the Hub cache: a folder (relative to the config file) or a Hub id owner/name[@revision]; or a mapping with path, config, image_column, label_column.",
      },
      {
        name: 'clip_model',
        type: 'string',
        nullable: true,
        default: null,
        aliases: ['base_model'],
        description:
          "CLIPModel folder or Hub id (e.g. openai/clip-vit-base-patch32) whose text tower and logit scale make the zero-shot heads and whose vision image_size sizes the inputs; null: the model pool's models._pretrained_.",
      },
      {
        name: 'batch_size',
        type: 'integer',
        default: 128,
        min: 1,
        description: 'Examples per evaluation batch.',
      },
      {
        name: 'test_split',
        type: 'string',
        nullable: true,
        default: null,
        description: "Split evaluated for every task; null: the table's (test, or validation for food101).",
      },
      {
        name: 'train_split',
        type: 'string',
        nullable: true,
        default: null,
        description:
          "Split served to methods that read labelled training data (Fisher, RegMean); null: the table's (train).",
      },
      {
        name: 'validation_split',
        type: 'string',
        nullable: true,
        default: null,
        description: 'Split served as validation data to methods that ask for it; null: none.',
      },
      {
        name: 'test_limit',
        type: 'integer',
        nullable: true,
        default: null,
        min: 1,
        description:
          'Use only the first N test examples of each task, for evaluation and for test-time adaptation (quick runs); null: all.',
      },
      {
        name: 'train_limit',
        type: 'integer',
        nullable: true,
        default: null,
        min: 1,
        description: 'Serve only the first N training examples of each task; null: all.',
      },
      {
        name: 'heads_cache',
        type: 'string',
        default: '.cache/clip-heads',
        description:
          'Folder of the cached zero-shot heads (one safetensors file per task, named by a hash of the model, the class names and the templates), relative to the config file.',
      },
      {
        name: 'download_train',
        type: 'boolean',
        default: false,
        description:
          '`mergebench download` also fetches the train splits (for Fisher, RegMean and other methods that train).',
      },
      ...CORRUPTION_PARAMS,
    ],
    downloads: clipClassificationDownloads,
  },
  create: ({ params, baseDir, container }) => {
    const options: ClipClassificationOptions = {
      tasks: params.tasks as string[],
      data: dataOverrides(params),
      clipModel: params.clip_model as string | null,
      container,
      baseDir,
      batchSize: params.batch_size as number,
      testSplit: params.test_split as string | null,
      trainSplit: params.train_split as string | null,
      validationSplit: params.validation_split as string | null,
      testLimit: params.test_limit as number | null,
      trainLimit: params.train_limit as number | null,
      headsCache: params.heads_cache as string,
      corruption: corruptionOf(params, 'taskpool'),
    };
    return ClipClassificationTaskPool.create(options);
  },
};
