import { Linear, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipTextConfig } from '../config/text-config.js';
import { type ClipTextOutput, ClipTextTransformer } from './text-transformer.js';

/** A text tower's outputs, the projected text embeddings included. */
export interface ClipTextFeatures extends ClipTextOutput {
  /** text_projection(pooled output) [B, projection_dim]. */
  readonly textEmbeds: tf.Tensor;
}

/**
 * The CLIP text encoder with the parameter names of Hugging Face's CLIPTextModelWithProjection
 * (`text_model.*`, `text_projection.weight`). `forward` maps token ids to text embeddings.
 */
export class ClipTextModelWithProjection extends Module {
  readonly textModel: ClipTextTransformer;
  readonly textProjection: Linear;

  constructor(readonly config: ClipTextConfig) {
    super();
    this.textModel = this.registerModule('text_model', new ClipTextTransformer(config));
    this.textProjection = this.registerModule(
      'text_projection',
      new Linear(config.hidden_size, config.projection_dim, { bias: false }),
    );
  }

  /** inputIds int32 [B, L] (see ClipTokenizer.encodeBatch) → text embeddings [B, projection_dim]. */
  forward(inputIds: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.textProjection.forward(this.textModel.forward(inputIds).pooledOutput));
  }

  /** The last hidden state, the pooled output and the text embeddings; the caller disposes them. */
  encode(inputIds: tf.Tensor): ClipTextFeatures {
    return tf.tidy(() => {
      const output = this.textModel.forward(inputIds);
      return { ...output, textEmbeds: this.textProjection.forward(output.pooledOutput) };
    });
  }
}
