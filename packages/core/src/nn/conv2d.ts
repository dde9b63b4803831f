import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { matMul } from './functional/matmul.js';
import { fanInUniform, offsetSeed } from './init.js';
import { Module } from './module.js';

export interface Conv2dOptions {
  /** Must equal the kernel size (the default). */
  readonly stride?: number;
  /** Must be 0 (the default). */
  readonly padding?: number;
  readonly bias?: boolean;
  /** Makes the initial values reproducible (the bias uses seed + 1); random when left out. */
  readonly seed?: number;
}

/**
 * A 2-D convolution over non-overlapping square patches (stride = kernel size, no padding): the
 * patch embedding of a vision transformer. Weight in PyTorch's layout [out, in, k, k], input and
 * output NCHW as in PyTorch. Computed as patch extraction plus one matrix product, which is fast
 * and differentiable on every backend.
 */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    { stride = kernelSize, padding = 0, bias = true, seed }: Conv2dOptions = {},
  ) {
    super();
    check(
      stride === kernelSize && padding === 0,
      () =>
        `Conv2d: only non-overlapping patches are supported (stride = kernel size, padding 0), ` +
        `got kernel ${kernelSize}, stride ${stride}, padding ${padding}`,
    );
    const fanIn = inChannels * kernelSize * kernelSize;
    this.weight = this.registerParameter(
      'weight',
      fanInUniform([outChannels, inChannels, kernelSize, kernelSize], fanIn, seed),
    );
    this.bias = bias
      ? this.registerParameter('bias', fanInUniform([outChannels], fanIn, offsetSeed(seed, 1)))
      : null;
  }

  /** x: [B, in, H, W] → [B, out, ⌊H/k⌋, ⌊W/k⌋]; trailing pixels that fill no patch are dropped, as in torch. */
  forward(x: tf.Tensor): tf.Tensor {
    const k = this.kernelSize;
    const [batch, channels, height, width] = x.shape as number[];
    check(
      x.rank === 4 && channels === this.inChannels && height >= k && width >= k,
      () => `Conv2d: expected input [B, ${this.inChannels}, H ≥ ${k}, W ≥ ${k}], got [${x.shape}]`,
    );
    const rows = Math.floor(height / k);
    const cols = Math.floor(width / k);
    return tf.tidy(() => {
      const cropped =
        rows * k === height && cols * k === width
          ? x
          : tf.slice(x, [0, 0, 0, 0], [batch, channels, rows * k, cols * k]);
      // [B, C, rows, k, cols, k] → [B, rows, cols, C, k, k]: one row per patch, flattened like the kernel.
      const grid = tf.reshape(cropped, [batch, channels, rows, k, cols, k]);
      const patches = tf.reshape(tf.transpose(grid, [0, 2, 4, 1, 3, 5]), [
        batch * rows * cols,
        channels * k * k,
      ]);
      const kernel = tf.reshape(this.param('weight'), [this.outChannels, channels * k * k]);
      const product = matMul(patches, kernel, false, true);
      const y = this.bias === null ? product : tf.add(product, this.param('bias'));
      return tf.transpose(tf.reshape(y, [batch, rows, cols, this.outChannels]), [0, 3, 1, 2]);
    });
  }
}
