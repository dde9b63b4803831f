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
  const model = new ClipVisionModelWithProjection(config, { seed: deriveSeed(spec.seed, 'encoder') });
  // One head per label set, as CLIP's text embeddings of the same class names are one head:
  // the three digit tasks share theirs, so their fine-tunings pull features the same way.
  const shared = new Map<string, CosineHead>();
  const heads = new Map<string, CosineHead>();
  for (const task of spec.tasks) {
    const classNames = data.task(task).classNames;
    const labels = JSON.stringify(classNames);
    if (!shared.has(labels)) {
      shared.set(
        labels,
        new CosineHead(config.projection_dim, classNames.length, {
          logitScale: Math.log(spec.pretrain.logitScale),
          seed: deriveSeed(spec.seed, `head/${task}`),
        }),
      );
    }
    heads.set(task, shared.get(labels)!);
  }
  const variables = [
    ...model.trainableVariables(),
    ...[...shared.values()].flatMap((h) => h.trainableVariables()),
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
  // Each task gets its own copy, so the set owns (and disposes) every head once.
  const copies = new Map<string, CosineHead>();
  for (const [task, head] of heads) {
    const copy = new CosineHead(head.inFeatures, head.outFeatures);
    copy.loadStateDict(head.stateDict());
    copies.set(task, copy);
  }
  for (const head of shared.values()) head.dispose();
  // TaskHeadSet freezes the heads: from here on they are the tasks' fixed classifiers.
  return { model, heads: new TaskHeadSet(copies) };
}
