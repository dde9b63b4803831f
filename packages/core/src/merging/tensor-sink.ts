import type * as tf from '@tensorflow/tfjs';

/** Receives one output tensor and owns it from then on (assign it, write it, dispose it). */
export type TensorSink = (key: string, tensor: tf.Tensor) => void | Promise<void>;
