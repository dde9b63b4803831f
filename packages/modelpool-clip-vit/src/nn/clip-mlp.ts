import { type Activation, activationByName, Linear, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { childSeed } from './child-seed.js';

/** CLIP's feed-forward block: `fc1` → activation → `fc2`. */
export class ClipMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly activation: Activation;

  constructor(hiddenSize: number, intermediateSize: number, hiddenAct: string, seed?: number) {
    super();
    this.activation = activationByName(hiddenAct);
    this.fc1 = this.registerModule(
      'fc1',
      new Linear(hiddenSize, intermediateSize, { seed: childSeed(seed, 'fc1') }),
    );
    this.fc2 = this.registerModule(
      'fc2',
      new Linear(intermediateSize, hiddenSize, { seed: childSeed(seed, 'fc2') }),
    );
  }

  /** [..., hidden] → [..., hidden]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(this.activation(this.fc1.forward(x))));
  }
}
