import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { matMul } from './functional/matmul.js';
import { offsetSeed } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface MultiHeadAttentionOptions {
  /** Makes the initial values reproducible (projection i uses seed + 2i); random when left out. */
  readonly seed?: number;
}

/**
 * Multi-head self-attention with the CLIP/Hugging Face layout and names: `q_proj`, `k_proj`,
 * `v_proj`, `out_proj` (each Linear d→d with bias), queries scaled by head_dim^-0.5.
 */
export class MultiHeadAttention extends Module {
  readonly headDim: number;
  readonly scale: number;
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly outProj: Linear;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    { seed }: MultiHeadAttentionOptions = {},
  ) {
    super();
    check(
      Number.isInteger(numHeads) && numHeads > 0 && embedDim % numHeads === 0,
      () => `MultiHeadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`,
    );
    this.headDim = embedDim / numHeads;
    this.scale = this.headDim ** -0.5;
    const projection = (index: number) =>
      new Linear(embedDim, embedDim, { seed: offsetSeed(seed, 2 * index) });
    this.qProj = this.registerModule('q_proj', projection(0));
    this.kProj = this.registerModule('k_proj', projection(1));
    this.vProj = this.registerModule('v_proj', projection(2));
    this.outProj = this.registerModule('out_proj', projection(3));
  }

  /**
   * hiddenStates [B, N, D] → [B, N, D]. `attentionMask` is added to the attention scores before
   * the softmax over keys (e.g. causalAttentionMask); its shape must broadcast to [B, heads, N, N].
   */
  forward(hiddenStates: tf.Tensor, attentionMask?: tf.Tensor | null): tf.Tensor {
    check(
      hiddenStates.rank === 3 && hiddenStates.shape[2] === this.embedDim,
      () => `MultiHeadAttention: expected input [B, N, ${this.embedDim}], got [${hiddenStates.shape}]`,
    );
    const [batch, seqLen] = hiddenStates.shape;
    if (attentionMask) this.#checkMask(attentionMask, [batch, this.numHeads, seqLen, seqLen]);
    return tf.tidy(() => {
      const splitHeads = (x: tf.Tensor, perm: number[]) =>
        tf.transpose(tf.reshape(x, [batch, seqLen, this.numHeads, this.headDim]), perm);
      const queries = splitHeads(tf.mul(this.qProj.forward(hiddenStates), this.scale), [0, 2, 1, 3]);
      // Keys are laid out already transposed, [B, heads, head_dim, N], so the product needs no flags.
      const keysT = splitHeads(this.kProj.forward(hiddenStates), [0, 2, 3, 1]);
      const values = splitHeads(this.vProj.forward(hiddenStates), [0, 2, 1, 3]);
      const scores = matMul(queries, keysT);
      const weights = tf.softmax(attentionMask ? tf.add(scores, attentionMask) : scores, -1);
      const context = tf.transpose(matMul(weights, values), [0, 2, 1, 3]);
      return this.outProj.forward(tf.reshape(context, [batch, seqLen, this.embedDim]));
    });
  }

  #checkMask(mask: tf.Tensor, scoresShape: number[]): void {
    const offset = scoresShape.length - mask.rank;
    check(
      offset >= 0 && mask.shape.every((d, i) => d === 1 || d === scoresShape[offset + i]),
      () =>
        `MultiHeadAttention: attention mask [${mask.shape}] does not broadcast to scores [${scoresShape}]`,
    );
  }
}
