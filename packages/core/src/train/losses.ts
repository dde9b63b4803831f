import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';

/** Added inside the logarithm of the entropy loss, as in the reference implementations. */
const ENTROPY_EPS = 1e-8;

/**
 * Mean over the batch of the prediction entropy −Σ p·log(p + 1e-8), p = softmax(logits) over the
 * last axis: the test-time adaptation objective of AdaMerging and WEMoE, with the reference's
 * formula (the 1e-8 keeps log finite when a probability underflows to 0). softmax subtracts the
 * row maximum, so large logits are safe.
 */
export function entropyLoss(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.softmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(p, tf.log(tf.add(p, ENTROPY_EPS))), -1))) as tf.Scalar;
  });
}

/**
 * Mean cross-entropy of logits [B, C] against int32 labels [B], through logSoftmax (stable for
 * large logits). A label outside [0, C) is an error rather than a silent zero loss.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  check(
    logits.rank === 2 && labels.rank === 1 && labels.shape[0] === logits.shape[0],
    () => `crossEntropy: expects logits [B, C] and labels [B], got [${logits.shape}] and [${labels.shape}]`,
  );
  const classes = logits.shape[1]!;
  const values = labels.dataSync();
  const bad = values.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < classes));
  check(bad < 0, () => `crossEntropy: label ${values[bad]} at position ${bad} is outside [0, ${classes})`);
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels, 'int32'), classes)), -1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
