import { Linear, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipVisionConfig } from '../config/vision-config.js';
import { childSeed } from './child-seed.js';
import { type ClipVisionOutput, ClipVisionTransformer } from './vision-transformer.js';

/** A vision tower's outputs, the projected image embeddings included. */
export interface ClipImageFeatures extends ClipVisionOutput {
  /** visual_projection(pooled output) [B, projection_dim]. */
  readonly imageEmbeds: tf.Tensor;
}

/**
 * The CLIP image encoder with the parameter names of Hugging Face's CLIPVisionModelWithProjection
 * (`vision_model.*`, `visual_projection.weight`), so its checkpoints load without renaming.
 * `forward` maps pixel values to image embeddings; its sites are every encoder layer, its
 * self-attention and its MLP (`vision_model.encoder.layers.3.mlp`).
 */
export class ClipVisionModelWithProjection extends Module {
  readonly visionModel: ClipVisionTransformer;
  readonly visualProjection: Linear;

  /** `seed` makes the initial values reproducible; random when left out. */
  constructor(
    readonly config: ClipVisionConfig,
    { seed }: { readonly seed?: number } = {},
  ) {
    super();
    this.visionModel = this.registerModule(
      'vision_model',
      new ClipVisionTransformer(config, childSeed(seed, 'vision_model')),
    );
    this.visualProjection = this.registerModule(
      'visual_projection',
      new Linear(config.hidden_size, config.projection_dim, {
        bias: false,
        seed: childSeed(seed, 'visual_projection'),
      }),
    );
  }

  /** pixelValues [B, C, H, W] (normalised as CLIP expects, see preprocessImage) → image embeddings [B, projection_dim]. */
  forward(pixelValues: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.visualProjection.forward(this.visionModel.forward(pixelValues).pooledOutput));
  }

  /** The last hidden state, the pooled output and the image embeddings; the caller disposes them. */
  encode(pixelValues: tf.Tensor): ClipImageFeatures {
    return tf.tidy(() => {
      const output = this.visionModel.forward(pixelValues);
      return { ...output, imageEmbeds: this.visualProjection.forward(output.pooledOutput) };
    });
  }
}
