import { type ModelSite, Module, ModuleList } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { childSeed } from './child-seed.js';
import {
  ATTENTION_CHILD,
  ClipEncoderLayer,
  type ClipEncoderSettings,
  MLP_CHILD,
} from './clip-encoder-layer.js';

/** The stack of transformer blocks, `layers.0` … `layers.{n-1}`. */
export class ClipEncoder extends Module {
  readonly layers: ModuleList<ClipEncoderLayer>;

  constructor(config: ClipEncoderSettings, seed?: number) {
    super();
    this.layers = this.registerModule(
      'layers',
      new ModuleList(
        Array.from(
          { length: config.num_hidden_layers },
          (_, i) => new ClipEncoderLayer(config, childSeed(seed, `layers.${i}`)),
        ),
      ),
    );
  }

  /** hidden [B, N, D] → [B, N, D] through every layer. */
  forward(hidden: tf.Tensor, attentionMask?: tf.Tensor | null): tf.Tensor {
    return tf.tidy(() => {
      let h = hidden;
      for (const layer of this.layers) h = layer.forward(h, attentionMask);
      return h;
    });
  }

  /** Each layer, its self-attention and its MLP, in model order. */
  override sites(): ModelSite[] {
    return Array.from({ length: this.layers.length }, (_, layer): ModelSite[] => [
      { kind: 'layer', path: `layers.${layer}`, layer },
      { kind: 'attention', path: `layers.${layer}.${ATTENTION_CHILD}`, layer },
      { kind: 'mlp', path: `layers.${layer}.${MLP_CHILD}`, layer },
    ]).flat();
  }
}
