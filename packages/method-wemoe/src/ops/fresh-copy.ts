import * as tf from '@tensorflow/tfjs';

/**
 * A copy of `x` with data of its own. The wasm backend keeps a packed copy of a product's right
 * operand for as long as that operand's data lives; a long-lived weight stack must therefore
 * enter a product as its right operand only through a copy that is disposed right after.
 */
export function freshCopy(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.scalar(1, x.dtype));
}
