import { check, Embedding, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipTextConfig } from '../config/text-config.js';

/** Token plus position embeddings, as Hugging Face's CLIPTextEmbeddings. */
export class ClipTextEmbeddings extends Module {
  readonly tokenEmbedding: Embedding;
  readonly positionEmbedding: Embedding;
  readonly positionIds: tf.Variable;

  constructor(readonly config: ClipTextConfig) {
    super();
    const dim = config.hidden_size;
    const positions = config.max_position_embeddings;
    this.tokenEmbedding = this.registerModule('token_embedding', new Embedding(config.vocab_size, dim));
    this.positionEmbedding = this.registerModule('position_embedding', new Embedding(positions, dim));
    this.positionIds = this.registerBuffer('position_ids', tf.range(0, positions, 1, 'int32').expandDims(0), {
      persistent: false,
    });
  }

  /** inputIds int32 [B, L] with L ≤ max_position_embeddings → [B, L, D]. */
  forward(inputIds: tf.Tensor): tf.Tensor {
    const max = this.config.max_position_embeddings;
    const [, length] = inputIds.shape as number[];
    check(
      inputIds.rank === 2 && inputIds.dtype === 'int32' && length <= max,
      () =>
        `CLIP text model: expected int32 input ids [B, L ≤ ${max}], got ${inputIds.dtype} [${inputIds.shape}]`,
    );
    return tf.tidy(() =>
      tf.add(
        this.tokenEmbedding.forward(inputIds),
        this.positionEmbedding.forward(tf.slice(this.positionIds, [0, 0], [1, length])),
      ),
    );
  }
}
