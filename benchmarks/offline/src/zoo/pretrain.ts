import { Adam, cosine, deriveSeed, type Logger, runSupervised } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import { CosineHead, type ImageTaskData, TaskHeadSet } from '@mergebench/taskpool-image-classification';
import * as tf from '@tensorflow/tfjs';
import type { ZooSpec } from './zoo-spec.js';

/**
 * The zoo's "pretraining": a randomly initialised CLIP vision encoder and one cosine head per
 * task (CLIP's zero-shot head shape), trained jointly for a short budget on every task (one batch
 * of each per step). It plays the part of CLIP's broad pretraining: the heads it leaves behind
 * are the frozen "zero-shot" heads, and the encoder is decent at every task but good at none —
 * which fine-tuning then fixes. Cosine heads matter for test-time adaptation: with linear heads
 * on raw features a merged model can lower its prediction entropy just by growing its features.
 */
export async function pretrain(
  spec: ZooSpec,
  data: ImageTaskData,
  logger: Logger,
): Promise<{ model: ClipVisionModelWithProjection; heads: TaskHeadSet }> {
  const config = clipVisionConfig(spec.vision);
  const model = new ClipVisionModelWithProjection(config);
  const heads = new Map<string, CosineHead>();
  for (const task of spec.tasks) {
    heads.set(
      task,
      new CosineHead(config.projection_dim, data.task(task).classNames.length, {
        logitScale: Math.log(spec.pretrain.logitScale),
        seed: deriveSeed(spec.seed, `head/${task}`),
      }),
    );
  }
  const variables = [
    ...model.trainableVariables(),
    ...[...heads.values()].flatMap((h) => h.trainableVariables()),
  ];
  const optimizer = new Adam(variables, { lr: spec.pretrain.lr });
  await runSupervised({
    tasks: spec.tasks,
    data,
    variables,
    optimizer,
    schedule: cosine(spec.pretrain.lr, spec.pretrain.steps, { minFactor: 0.1 }),
    steps: spec.pretrain.steps,
    batchSize: spec.pretrain.batchSize,
    seed: spec.seed,
    logger,
    logitsForTask: (task, inputs) => tf.tidy(() => heads.get(task)!.forward(model.forward(inputs))),
  });
  optimizer.dispose();
  // TaskHeadSet freezes the heads: from here on they are the tasks' fixed classifiers.
  return { model, heads: new TaskHeadSet(heads) };
}
