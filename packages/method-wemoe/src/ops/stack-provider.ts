import type * as tf from '@tensorflow/tfjs';

/**
 * Hands out an upscaled Linear's frozen weight stack: θ₀ and the T task vectors, each transposed
 * to [in, out], as one tensor of T+1 such blocks (any shape holding them in that order). The
 * caller disposes what it gets. Asking again instead of holding the tensor lets a sparse store
 * rebuild its dense form for the backward pass rather than keep every layer's alive meanwhile.
 */
export type StackProvider = () => tf.Tensor;
