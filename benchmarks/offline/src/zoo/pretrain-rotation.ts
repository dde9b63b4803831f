import {
  Adam,
  type Batch,
  cosine,
  crossEntropy,
  deriveSeed,
  type Logger,
  runTrainingLoop,
} from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import type { ImageTaskData } from '@mergebench/taskpool-image-classification';
import * as tf from '@tensorflow/tfjs';
import type { ZooSpec } from './zoo-spec.js';

/** The four rotations of a batch of NCHW images by 0, 90, 180 and 270 degrees, concatenated. */
export function rotations(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const transposed = tf.transpose(images, [0, 1, 3, 2]);
    return tf.concat([
      images,
      tf.reverse(transposed, 3),
      tf.reverse(images, [2, 3]),
      tf.reverse(transposed, 2),
    ]);
  });
}

/**
 * Self-supervised "pretraining" that never sees a task's labels: a randomly initialised CLIP
 * vision encoder learns to tell which of four rotations (0, 90, 180, 270 degrees) an image of any
 * task was turned by, through a small linear head that is then dropped. Like CLIP's broad
 * pretraining, it leaves an encoder with general features and no classifier for any task; the
 * tasks' "zero-shot" heads come afterwards (prototype-heads.ts).
 */
export async function pretrainByRotation(
  spec: ZooSpec,
  data: ImageTaskData,
  logger: Logger,
): Promise<ClipVisionModelWithProjection> {
  const config = clipVisionConfig(spec.vision);
  const model = new ClipVisionModelWithProjection(config, { seed: deriveSeed(spec.seed, 'encoder') });
  const width = config.projection_dim;
  const head = {
    weight: tf.variable(tf.randomNormal([width, 4], 0, 1 / Math.sqrt(width), 'float32', spec.seed)),
    bias: tf.variable(tf.zeros([4])),
  };
  const variables = [...model.trainableVariables(), head.weight, head.bias];
  const optimizer = new Adam(variables, { lr: spec.pretrain.lr });
  const labels = (batch: number) =>
    tf.tidy(() => tf.concat([0, 1, 2, 3].map((k) => tf.fill([batch], k, 'int32'))) as tf.Tensor1D);
  try {
    await runTrainingLoop({
      name: 'pretraining',
      split: 'train',
      unlabelled: true,
      tasks: spec.tasks,
      data,
      variables,
      optimizer,
      schedule: cosine(spec.pretrain.lr, spec.pretrain.steps, { minFactor: 0.1 }),
      steps: spec.pretrain.steps,
      batchSize: spec.pretrain.batchSize,
      seed: spec.seed,
      logger,
      lossForBatch: (_task, batch: Batch) =>
        tf.tidy(() => {
          const rotated = rotations(batch.inputs as tf.Tensor4D);
          const features = model.forward(rotated) as tf.Tensor2D;
          const logits = tf.add(tf.matMul(features, head.weight), head.bias);
          return crossEntropy(logits, labels(batch.inputs.shape[0]));
        }),
    });
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    tf.dispose([head.weight, head.bias]);
  }
  return model;
}
