import { resolve } from 'node:path';
import {
  type CreateContext,
  type EvaluateOptions,
  evaluateClassification,
  hasService,
  hubCacheDir,
  type Logger,
  listNames,
  MergebenchError,
  type Module,
  provide,
  resolveService,
  type Split,
  type TaskPool,
  type TaskPoolResult,
  TOKENS,
} from '@mergebench/core';
import type { SeededCorruption } from '@mergebench/image-corruptions';
import { type DatasetSpec, datasetSpec, TASK_NAMES } from './catalog/dataset-table.js';
import { taskPrompts } from './catalog/task-prompts.js';
import { type ClipTask, ClipTaskData, type TaskSplit } from './data/clip-task-data.js';
import { limitSource } from './data/limited-source.js';
import { type ClipHeads, loadClipHeads } from './heads/clip-heads.js';
import { resolveClipModel } from './heads/clip-model.js';
import { type DatasetFolder, openDatasetFolder, openSplit } from './hub/task-source.js';

type Container = CreateContext['container'];

/** Where one task's data is instead of the table's repository, and how its files differ. */
export interface DataOverride {
  /** A folder, or a Hub id `owner/name[@revision]` in the Hub cache. */
  readonly path?: string;
  readonly config?: string;
  readonly image_column?: string;
  readonly label_column?: string;
}

export interface ClipClassificationOptions {
  /** Task names from the table (TALL20's). */
  readonly tasks: readonly string[];
  /** Corrupts every test image (ImageNet-C corruptions); null or absent: clean. */
  readonly corruption?: SeededCorruption | null;
  /** Per task: a folder or Hub id, or a DataOverride. */
  readonly data?: Readonly<Record<string, string | DataOverride>>;
  /** CLIPModel folder or Hub id whose text tower makes the heads; null: the model pool's `_pretrained_`. */
  readonly clipModel?: string | null;
  /** The run's container: its config names the model pool's `_pretrained_` model, its logger reports. */
  readonly container?: Container;
  /** Folder that relative paths start from. Default: the working directory. */
  readonly baseDir?: string;
  readonly batchSize?: number;
  /** Split names for every task instead of the table's (null: the table's). */
  readonly testSplit?: string | null;
  readonly trainSplit?: string | null;
  readonly validationSplit?: string | null;
  /** Use only the first N examples of the test (train) split; null: all. */
  readonly testLimit?: number | null;
  readonly trainLimit?: number | null;
  /** Folder of the cached heads. Default `.cache/clip-heads` under baseDir. */
  readonly headsCache?: string;
  /** The Hub cache (default: HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub). */
  readonly hubCache?: string;
}

/** The table's spec of a task with a DataOverride's changes. */
function taskSpec(
  task: string,
  override: string | DataOverride | undefined,
): { spec: DatasetSpec; path?: string } {
  const spec = datasetSpec(task);
  if (!spec) {
    throw new MergebenchError(
      `taskpool.tasks: unknown task '${task}'; available: ${listNames(TASK_NAMES, 30)}`,
    );
  }
  if (override === undefined || typeof override === 'string') return { spec, path: override };
  return {
    spec: {
      ...spec,
      ...(override.config !== undefined && { config: override.config }),
      ...(override.image_column !== undefined && { imageColumn: override.image_column }),
      ...(override.label_column !== undefined && { labelColumn: override.label_column }),
    },
    path: override.path,
  };
}

async function optionalSplit(
  folder: DatasetFolder,
  split: string | null,
  limit: number | null,
): Promise<TaskSplit> {
  if (split === null) {
    return {
      error: new MergebenchError(
        `task '${folder.spec.task}': no split set for this use (taskpool.validation_split)`,
      ),
    };
  }
  try {
    return { source: limitSource(await openSplit(folder, split), limit) };
  } catch (error) {
    if (error instanceof MergebenchError) return { error };
    throw error;
  }
}

/**
 * CLIP zero-shot classification on Hugging Face data sets: evaluates an image encoder (pixel
 * values [B, 3, S, S] → image embeddings) with each task's zero-shot head on its test split, and
 * provides the tasks' data and heads to methods. Every check that can fail (tasks, folders,
 * splits, columns, labels, class counts) runs before any head is built.
 */
export class ClipClassificationTaskPool implements TaskPool {
  readonly taskNames: readonly string[];

  private constructor(
    readonly data: ClipTaskData,
    readonly heads: ClipHeads,
    private readonly batchSize: number,
  ) {
    this.taskNames = data.taskNames;
  }

  static async create(options: ClipClassificationOptions): Promise<ClipClassificationTaskPool> {
    const baseDir = options.baseDir ?? process.cwd();
    const hubCache = options.hubCache ?? hubCacheDir();
    const logger: Logger | undefined =
      options.container && hasService(options.container, TOKENS.logger)
        ? resolveService(options.container, TOKENS.logger)
        : undefined;
    const seen = new Set<string>();
    for (const task of options.tasks) {
      if (seen.has(task)) throw new MergebenchError(`taskpool.tasks: '${task}' is listed twice`);
      seen.add(task);
    }
    const specs = options.tasks.map((task) => taskSpec(task, options.data?.[task]));
    for (const key of Object.keys(options.data ?? {})) {
      if (!seen.has(key)) {
        throw new MergebenchError(`taskpool.data.${key}: not one of the tasks (${listNames(options.tasks)})`);
      }
    }
    const model = await resolveClipModel(options.clipModel ?? null, options.container, baseDir, hubCache);

    const tasks: ClipTask[] = [];
    for (const { spec, path } of specs) {
      const folder = await openDatasetFolder(spec, path, baseDir, hubCache);
      const prompts = taskPrompts(spec.task);
      if (folder.classNames && folder.classNames.length !== prompts.classNames.length) {
        throw new MergebenchError(
          `task '${spec.task}': the dataset card ${folder.card.file} names ${folder.classNames.length} classes for column '${spec.labelColumn}', its zero-shot head has ${prompts.classNames.length}`,
        );
      }
      const test = limitSource(
        await openSplit(folder, options.testSplit ?? spec.testSplit),
        options.testLimit ?? null,
      );
      tasks.push({
        name: spec.task,
        numClasses: prompts.classNames.length,
        splits: {
          test: { source: test },
          train: await optionalSplit(
            folder,
            options.trainSplit ?? spec.trainSplit,
            options.trainLimit ?? null,
          ),
          validation: await optionalSplit(folder, options.validationSplit ?? null, null),
        },
      });
    }
    const data = new ClipTaskData(tasks, model.imageSize, options.corruption ?? null);
    for (const task of data.taskNames) await data.checkLabels(task, 'test');

    const heads = await loadClipHeads(
      data.taskNames.map((task) => ({ task, ...taskPrompts(task) })),
      model.dir,
      resolve(baseDir, options.headsCache ?? '.cache/clip-heads'),
      logger,
    );
    return new ClipClassificationTaskPool(data, heads, options.batchSize ?? 128);
  }

  evaluate(model: Module, options: EvaluateOptions = {}): Promise<TaskPoolResult> {
    return evaluateClassification(model, this.data, this.heads, { ...options, batchSize: this.batchSize });
  }

  registerServices(container: Container): void {
    provide(container, TOKENS.taskData, this.data);
    provide(container, TOKENS.taskHeads, this.heads);
  }

  size(task: string, split: Split): number {
    return this.data.size(task, split);
  }

  dispose(): void {
    this.heads.dispose();
  }
}
