import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Logger, MergebenchError, runProgram, writeFileAtomic } from '@mergebench/core';
import {
  type ClipVisionModelWithProjection,
  loadClipVisionModel,
  saveClipVisionModel,
} from '@mergebench/modelpool-clip-vit';
import { loadImageTasks, saveHeads, type TaskHeadSet } from '@mergebench/taskpool-image-classification';
import * as tf from '@tensorflow/tfjs';
import { stringify } from 'yaml';
import { pretrain } from './pretrain.js';
import { pretrainByRotation } from './pretrain-rotation.js';
import { prototypeHeads } from './prototype-heads.js';
import { type ZooSpec, zooKey } from './zoo-spec.js';

/** Where a built zoo lives; `config` is a mergebench config naming all of it. */
export interface Zoo {
  readonly dir: string;
  readonly spec: ZooSpec;
  readonly pretrained: string;
  readonly heads: string;
  finetuned(task: string): string;
  /** mergebench.config.yaml: model pool = pretrained + every fine-tuned model, task pool = all tasks. */
  readonly config: string;
}

/**
 * The zoo's folder, named by the backend that builds it and the spec's hash. Backends sum in
 * different orders, and over thousands of training steps the last bits grow into different
 * models, so a zoo built on one backend is not the zoo another would build.
 */
export function zooLayout(root: string, spec: ZooSpec, backend = tf.getBackend()): Zoo {
  const dir = path.join(root, `zoo-${backend}-${zooKey(spec)}`);
  return {
    dir,
    spec,
    pretrained: path.join(dir, 'pretrained'),
    heads: path.join(dir, 'heads.safetensors'),
    finetuned: (task) => path.join(dir, 'finetuned', task),
    config: path.join(dir, 'mergebench.config.yaml'),
  };
}

const PLUGINS = [
  '@mergebench/modelpool-clip-vit',
  '@mergebench/taskpool-image-classification',
  '@mergebench/method-finetune',
];

/** A config file for runs on the zoo; paths are relative to the zoo folder. */
function configYaml(zoo: Zoo, models: readonly string[]): string {
  const { data } = zoo.spec;
  return stringify({
    plugins: PLUGINS,
    modelpool: {
      name: 'clip-vit',
      models: Object.fromEntries([
        ['_pretrained_', './pretrained'],
        ...models.map((t) => [t, `./finetuned/${t}`]),
      ]),
    },
    taskpool: {
      name: 'image-classification',
      tasks: [...zoo.spec.tasks],
      heads: './heads.safetensors',
      image_size: data.imageSize,
      train_size: data.trainSize,
      test_size: data.testSize,
      seed: data.seed,
    },
    output_dir: './runs',
  });
}

/** The spec's `vision` describes the zoo's encoder: a checkpoint of another shape is a mistake. */
function checkVisionMatches(spec: ZooSpec, model: ClipVisionModelWithProjection): void {
  const config = model.config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(spec.vision)) {
    if (config[key] !== value) {
      throw new MergebenchError(
        `zoo spec: vision.${key} is ${JSON.stringify(value)} but pretrain.checkpoint ${spec.pretrain.checkpoint} has ${JSON.stringify(config[key])}`,
      );
    }
  }
}

/**
 * Builds the zoo with mergebench's own machinery, step by step, each step skipped when its
 * output exists (outputs are written atomically, so an interrupted build resumes cleanly):
 * pretraining (encoder + heads), then one `mergebench run method=finetune` per task.
 */
/** Wall seconds a zoo build spent on each phase (0 for a phase whose outputs existed). */
export interface ZooBuildTimes {
  pretrainingSeconds: number;
  finetuningSeconds: number;
}

export async function buildZoo(
  root: string,
  spec: ZooSpec,
  logger: Logger,
  times: ZooBuildTimes = { pretrainingSeconds: 0, finetuningSeconds: 0 },
): Promise<Zoo> {
  const zoo = zooLayout(root, spec);
  mkdirSync(zoo.dir, { recursive: true });
  await writeFileAtomic(path.join(zoo.dir, 'zoo-spec.json'), `${JSON.stringify(spec, null, 2)}\n`);

  const pretrainingStart = performance.now();
  if (!existsSync(zoo.pretrained) || !existsSync(zoo.heads)) {
    const data = await loadImageTasks({ tasks: spec.tasks, ...spec.data });
    let model: ClipVisionModelWithProjection;
    let heads: TaskHeadSet;
    const { objective = 'tasks', checkpoint, steps, headExamples = 256 } = spec.pretrain;
    if (objective === 'tasks') {
      logger.info(`zoo: pretraining the encoder and ${spec.tasks.length} heads (${steps} steps)`);
      ({ model, heads } = await pretrain(spec, data, logger));
    } else {
      // An encoder pretrained without the tasks' labels: the heads are its class prototypes.
      if (objective === 'checkpoint') {
        logger.info(`zoo: the pretrained encoder is ${checkpoint}`);
        model = await loadClipVisionModel(checkpoint!);
        checkVisionMatches(spec, model);
      } else {
        logger.info(`zoo: pretraining the encoder by rotation prediction (${steps} steps)`);
        model = await pretrainByRotation(spec, data, logger);
      }
      heads = await prototypeHeads(spec, model, data, headExamples);
    }
    await saveHeads(zoo.heads, heads);
    await saveClipVisionModel(model, zoo.pretrained, { overwrite: true });
    model.dispose();
    heads.dispose();
  }

  times.pretrainingSeconds = (performance.now() - pretrainingStart) / 1000;

  const finetuningStart = performance.now();
  const finetuneConfig = path.join(zoo.dir, 'finetune.config.yaml');
  await writeFileAtomic(finetuneConfig, configYaml(zoo, []));
  for (const task of spec.tasks) {
    if (existsSync(zoo.finetuned(task))) continue;
    logger.info(`zoo: fine-tuning on ${task} (${spec.finetune.steps} steps)`);
    await runProgram({
      cwd: zoo.dir,
      configPath: finetuneConfig,
      logger,
      overrides: [
        'method=finetune',
        `method.task=${task}`,
        `method.steps=${spec.finetune.steps}`,
        `method.batch_size=${spec.finetune.batchSize}`,
        `method.lr=${spec.finetune.lr}`,
        `taskpool.tasks=[${task}]`,
        `run_name=finetune-${task}`,
        `save_model=${zoo.finetuned(task)}`,
        `seed=${spec.seed}`,
      ],
    });
  }
  times.finetuningSeconds = (performance.now() - finetuningStart) / 1000;
  await writeFileAtomic(zoo.config, configYaml(zoo, spec.tasks));
  return zoo;
}
