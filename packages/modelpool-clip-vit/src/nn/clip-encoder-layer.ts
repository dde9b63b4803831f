import { LayerNorm, Module, MultiHeadAttention } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { childSeed } from './child-seed.js';
import { ClipMlp } from './clip-mlp.js';

/** The settings an encoder layer reads; vision and text configs both have them. */
export interface ClipEncoderSettings {
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly hidden_act: string;
  readonly layer_norm_eps: number;
}

/** Child names of the blocks a merge method may replace (see ClipEncoder.sites). */
export const ATTENTION_CHILD = 'self_attn';
export const MLP_CHILD = 'mlp';

/**
 * One pre-LayerNorm transformer block, as Hugging Face's CLIPEncoderLayer:
 * h += self_attn(layer_norm1(h)); h += mlp(layer_norm2(h)).
 */
export class ClipEncoderLayer extends Module {
  readonly layerNorm1: LayerNorm;
  readonly layerNorm2: LayerNorm;

  constructor(config: ClipEncoderSettings, seed?: number) {
    super();
    const eps = config.layer_norm_eps;
    this.registerModule(
      ATTENTION_CHILD,
      new MultiHeadAttention(config.hidden_size, config.num_attention_heads, {
        seed: childSeed(seed, ATTENTION_CHILD),
      }),
    );
    this.layerNorm1 = this.registerModule('layer_norm1', new LayerNorm(config.hidden_size, { eps }));
    this.registerModule(
      MLP_CHILD,
      new ClipMlp(
        config.hidden_size,
        config.intermediate_size,
        config.hidden_act,
        childSeed(seed, MLP_CHILD),
      ),
    );
    this.layerNorm2 = this.registerModule('layer_norm2', new LayerNorm(config.hidden_size, { eps }));
  }

  /** hidden [B, N, D] → [B, N, D]; `attentionMask` is added to the attention scores (causal for text). */
  forward(hidden: tf.Tensor, attentionMask?: tf.Tensor | null): tf.Tensor {
    // Attention and MLP are looked up in the module tree on every call, so a block that a method
    // put in their place (e.g. a weight-ensembling MoE) is the one that runs.
    const attention = this.getSubmodule(ATTENTION_CHILD);
    const mlp = this.getSubmodule(MLP_CHILD);
    return tf.tidy(() => {
      const attended = tf.add(hidden, attention.forward(this.layerNorm1.forward(hidden), attentionMask));
      return tf.add(attended, mlp.forward(this.layerNorm2.forward(attended)));
    });
  }
}
