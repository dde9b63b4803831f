import { deriveSeed } from '@mergebench/core';
import type { ClipVisionModelWithProjection } from '@mergebench/modelpool-clip-vit';
import { CosineHead, type ImageTaskData, TaskHeadSet } from '@mergebench/taskpool-image-classification';
import * as tf from '@tensorflow/tfjs';
import type { ZooSpec } from './zoo-spec.js';

/**
 * The tasks' "zero-shot" heads for an encoder pretrained without their labels: each class vector
 * is the mean unit feature of that class over `examples` labelled training images per task, the
 * pretrained encoder's prototype, as CLIP's class vectors are its text encoder's embedding of the
 * class name. Tasks with the same class names share one head, built from all of their examples
 * (as CLIP embeds the same names once). The heads are frozen from here on.
 */
export async function prototypeHeads(
  spec: ZooSpec,
  model: ClipVisionModelWithProjection,
  data: ImageTaskData,
  examples: number,
): Promise<TaskHeadSet> {
  const width = model.config.projection_dim;
  const byLabels = new Map<string, { sums: tf.Tensor2D; tasks: string[] }>();
  for (const task of spec.tasks) {
    const classes = data.task(task).classNames;
    const labels = JSON.stringify(classes);
    const entry = byLabels.get(labels) ?? { sums: tf.zeros([classes.length, width]), tasks: [] };
    entry.tasks.push(task);
    const stream = data.batches(task, 'train', {
      batchSize: 64,
      limit: examples,
      shuffleSeed: deriveSeed(spec.seed, `prototypes/${task}`),
    });
    for await (const batch of stream) {
      const sums = tf.tidy(() => {
        const features = model.forward(batch.inputs) as tf.Tensor2D;
        const unit = tf.div(features, tf.add(tf.norm(features, 'euclidean', -1, true), 1e-12));
        const oneHot = tf.oneHot(batch.labels!, classes.length).toFloat();
        return tf.add(entry.sums, tf.matMul(oneHot, unit, true, false)) as tf.Tensor2D;
      });
      entry.sums.dispose();
      entry.sums = sums;
      tf.dispose([batch.inputs, batch.labels]);
    }
    byLabels.set(labels, entry);
  }
  const heads = new Map<string, CosineHead>();
  for (const { sums, tasks } of byLabels.values()) {
    for (const task of tasks) {
      const head = new CosineHead(width, sums.shape[0], { logitScale: Math.log(spec.pretrain.logitScale) });
      // The head normalises its class vectors, so the sums serve as well as the means.
      head.weight.assign(sums);
      heads.set(task, head);
    }
    sums.dispose();
  }
  return new TaskHeadSet(heads);
}
