import { LayerNorm, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipVisionConfig } from '../config/vision-config.js';
import { childSeed } from './child-seed.js';
import { ClipEncoder } from './clip-encoder.js';
import { ClipVisionEmbeddings } from './vision-embeddings.js';

/** What a vision tower computes before its projection. */
export interface ClipVisionOutput {
  /** The encoder's output for every position [B, 1 + patches, D] (not normalised). */
  readonly lastHiddenState: tf.Tensor;
  /** post_layernorm of the class token [B, D]. */
  readonly pooledOutput: tf.Tensor;
}

/**
 * Hugging Face's CLIPVisionTransformer (`vision_model`): embeddings → pre_layrnorm (sic, as in
 * transformers) → encoder; the class token of the output, after post_layernorm, is the pooled output.
 */
export class ClipVisionTransformer extends Module {
  readonly embeddings: ClipVisionEmbeddings;
  readonly preLayrnorm: LayerNorm;
  readonly encoder: ClipEncoder;
  readonly postLayernorm: LayerNorm;

  constructor(
    readonly config: ClipVisionConfig,
    seed?: number,
  ) {
    super();
    const eps = config.layer_norm_eps;
    this.embeddings = this.registerModule(
      'embeddings',
      new ClipVisionEmbeddings(config, childSeed(seed, 'embeddings')),
    );
    this.preLayrnorm = this.registerModule('pre_layrnorm', new LayerNorm(config.hidden_size, { eps }));
    this.encoder = this.registerModule('encoder', new ClipEncoder(config, childSeed(seed, 'encoder')));
    this.postLayernorm = this.registerModule('post_layernorm', new LayerNorm(config.hidden_size, { eps }));
  }

  /** pixelValues [B, C, H, W] → last hidden state and pooled output; the caller disposes both. */
  forward(pixelValues: tf.Tensor): ClipVisionOutput {
    return tf.tidy(() => {
      const hidden = this.preLayrnorm.forward(this.embeddings.forward(pixelValues));
      const lastHiddenState = this.encoder.forward(hidden);
      const [batch, , dim] = lastHiddenState.shape;
      const cls = tf.reshape(tf.slice(lastHiddenState, [0, 0, 0], [batch, 1, dim]), [batch, dim]);
      return { lastHiddenState, pooledOutput: this.postLayernorm.forward(cls) };
    });
  }
}
