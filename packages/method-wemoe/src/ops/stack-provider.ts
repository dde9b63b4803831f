import type * as tf from '@tensorflow/tfjs';

/**
 * Hands out an upscaled Linear's frozen weight stack: θ₀ and the T task vectors in PyTorch's
 * [out, in] layout, interleaved by output row as one [out, E, in] tensor (E = T + 1; row o holds
 * θ₀'s row o, then every task vector's). The caller disposes what it gets. Asking again instead
 * of holding the tensor lets a sparse store rebuild its dense form for the backward pass rather
 * than keep every layer's alive meanwhile.
 */
export type StackProvider = () => tf.Tensor;
