import type * as tf from '@tensorflow/tfjs';

/**
 * Hands out an upscaled Linear's frozen weight stack [E, out, in]: θ₀ then the T task vectors,
 * each in PyTorch's [out, in] layout (E = T + 1). The caller disposes what it gets. Asking again
 * instead of holding the tensor lets a sparse store rebuild its dense form for the backward pass
 * rather than keep every layer's alive meanwhile.
 */
export type StackProvider = () => tf.Tensor;
