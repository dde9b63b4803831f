import * as tf from '@tensorflow/tfjs';

/**
 * The E blocks [out, in] of a weight stack [E, out, in], each a tensor with data of its own. The
 * wasm backend keeps a packed copy of a product's right operand for as long as that operand's
 * data lives, so a block taken from a long-lived stack must not share its data.
 */
export function stackBlocks(stack: tf.Tensor): tf.Tensor[] {
  const [experts, outFeatures, inFeatures] = stack.shape as [number, number, number];
  return Array.from({ length: experts }, (_, e) =>
    tf.reshape(tf.slice(stack, [e, 0, 0], [1, outFeatures, inFeatures]), [outFeatures, inFeatures]),
  );
}
