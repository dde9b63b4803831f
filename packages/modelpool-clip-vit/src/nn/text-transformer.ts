import { causalAttentionMask, gatherRows, LayerNorm, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipTextConfig } from '../config/text-config.js';
import { ClipEncoder } from './clip-encoder.js';
import { ClipTextEmbeddings } from './text-embeddings.js';

/** What a text tower computes before its projection. */
export interface ClipTextOutput {
  /** final_layer_norm of the encoder's output [B, L, D]. */
  readonly lastHiddenState: tf.Tensor;
  /** The last hidden state at each row's end-of-text token [B, D]. */
  readonly pooledOutput: tf.Tensor;
}

/** The eos_token_id of configs saved before transformers fixed it (see ClipTextConfig.eos_token_id). */
const LEGACY_EOS_TOKEN_ID = 2;

/**
 * Hugging Face's CLIPTextTransformer (`text_model`): embeddings → causal encoder →
 * final_layer_norm, pooled at the end-of-text token. Padding after that token does not change the
 * pooled output (no position attends to a later one), so no padding mask is taken.
 */
export class ClipTextTransformer extends Module {
  readonly embeddings: ClipTextEmbeddings;
  readonly encoder: ClipEncoder;
  readonly finalLayerNorm: LayerNorm;

  constructor(readonly config: ClipTextConfig) {
    super();
    this.embeddings = this.registerModule('embeddings', new ClipTextEmbeddings(config));
    this.encoder = this.registerModule('encoder', new ClipEncoder(config));
    this.finalLayerNorm = this.registerModule(
      'final_layer_norm',
      new LayerNorm(config.hidden_size, { eps: config.layer_norm_eps }),
    );
  }

  /** inputIds int32 [B, L] → last hidden state and pooled output; the caller disposes both. */
  forward(inputIds: tf.Tensor): ClipTextOutput {
    return tf.tidy(() => {
      const [batch, length] = inputIds.shape;
      const hidden = this.embeddings.forward(inputIds);
      const lastHiddenState = this.finalLayerNorm.forward(
        this.encoder.forward(hidden, causalAttentionMask(length)),
      );
      const rows = tf.reshape(lastHiddenState, [batch * length, this.config.hidden_size]);
      const rowStarts = tf.range(0, batch * length, length, 'int32');
      const flatIndex = tf.add(rowStarts, this.#eosPositions(inputIds));
      return { lastHiddenState, pooledOutput: gatherRows(rows, flatIndex) };
    });
  }

  /**
   * Per row, where to pool, as transformers does: the first position of eos_token_id, or 0 when
   * the row has none; legacy configs take the position of the row's largest id instead.
   */
  #eosPositions(inputIds: tf.Tensor): tf.Tensor {
    const eos = this.config.eos_token_id;
    if (eos === LEGACY_EOS_TOKEN_ID) return tf.cast(tf.argMax(inputIds, -1), 'int32');
    return tf.cast(tf.argMax(tf.cast(tf.equal(inputIds, eos), 'int32'), -1), 'int32');
  }
}
