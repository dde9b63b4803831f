import { Conv2d, check, Embedding, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipVisionConfig } from '../config/vision-config.js';
import { childSeed } from './child-seed.js';

/**
 * Patch embedding plus a class token and learnt positions, as Hugging Face's CLIPVisionEmbeddings:
 * [CLS, patch_1, …, patch_n] + position_embedding(0 … n).
 */
export class ClipVisionEmbeddings extends Module {
  readonly classEmbedding: tf.Variable;
  readonly patchEmbedding: Conv2d;
  readonly positionEmbedding: Embedding;
  readonly positionIds: tf.Variable;
  readonly numPositions: number;

  constructor(
    readonly config: ClipVisionConfig,
    seed?: number,
  ) {
    super();
    const dim = config.hidden_size;
    const gridSize = Math.floor(config.image_size / config.patch_size);
    this.numPositions = gridSize * gridSize + 1;
    // Hugging Face's initialisation of the class token: N(0, dim^-0.5).
    this.classEmbedding = this.registerParameter(
      'class_embedding',
      tf.randomNormal([dim], 0, dim ** -0.5, 'float32', childSeed(seed, 'class_embedding')),
    );
    this.patchEmbedding = this.registerModule(
      'patch_embedding',
      new Conv2d(config.num_channels, dim, config.patch_size, {
        bias: false,
        seed: childSeed(seed, 'patch_embedding'),
      }),
    );
    this.positionEmbedding = this.registerModule(
      'position_embedding',
      new Embedding(this.numPositions, dim, { seed: childSeed(seed, 'position_embedding') }),
    );
    // Not persistent, as in current transformers: older checkpoints that still hold it are read
    // without it (see the checkpoint rules).
    this.positionIds = this.registerBuffer(
      'position_ids',
      tf.range(0, this.numPositions, 1, 'int32').expandDims(0),
      {
        persistent: false,
      },
    );
  }

  /** pixelValues [B, C, image_size, image_size] → [B, 1 + patches, D]. */
  forward(pixelValues: tf.Tensor): tf.Tensor {
    const { image_size: size, num_channels: channels } = this.config;
    check(
      pixelValues.rank === 4 &&
        pixelValues.shape[1] === channels &&
        pixelValues.shape[2] === size &&
        pixelValues.shape[3] === size,
      () =>
        `CLIP vision model: expected pixel values [B, ${channels}, ${size}, ${size}], got [${pixelValues.shape}]`,
    );
    const batch = pixelValues.shape[0];
    const dim = this.config.hidden_size;
    return tf.tidy(() => {
      const grid = this.patchEmbedding.forward(pixelValues);
      const patches = tf.transpose(tf.reshape(grid, [batch, dim, -1]), [0, 2, 1]);
      const cls = tf.broadcastTo(tf.reshape(this.param('class_embedding'), [1, 1, dim]), [batch, 1, dim]);
      return tf.add(tf.concat([cls, patches], 1), this.positionEmbedding.forward(this.positionIds));
    });
  }
}
