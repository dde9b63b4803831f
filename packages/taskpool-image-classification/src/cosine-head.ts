import { check, Module, matMul } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

export interface CosineHeadOptions {
  /** exp(logit_scale) multiplies the cosines; CLIP's trained value is 100. */
  readonly logitScale?: number;
  readonly seed?: number;
}

/**
 * CLIP's zero-shot classifier shape: logits = exp(logit_scale) · cos(features, class vector).
 * Features are L2-normalised first, so a merged encoder cannot make its predictions more
 * confident by scaling its features; only their direction counts, as with CLIP's text heads.
 */
export class CosineHead extends Module {
  readonly weight: tf.Variable;
  readonly logitScale: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { logitScale = Math.log(100), seed }: CosineHeadOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      tf.randomNormal([outFeatures, inFeatures], 0, 1 / Math.sqrt(inFeatures), 'float32', seed),
    );
    this.logitScale = this.registerParameter('logit_scale', tf.scalar(logitScale), { trainable: false });
  }

  forward(features: tf.Tensor): tf.Tensor {
    check(
      features.rank === 2 && features.shape[1] === this.inFeatures,
      () => `CosineHead: expected features [B, ${this.inFeatures}], got [${features.shape}]`,
    );
    return tf.tidy(() => {
      const unit = (x: tf.Tensor) => tf.div(x, tf.add(tf.norm(x, 'euclidean', -1, true), 1e-12));
      const cosines = matMul(unit(features), unit(this.param('weight')), false, true);
      return tf.mul(cosines, tf.exp(this.param('logit_scale')));
    });
  }
}
