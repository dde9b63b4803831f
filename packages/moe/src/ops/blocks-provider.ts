import type * as tf from '@tensorflow/tfjs';

/**
 * Hands out an upscaled Linear's frozen weight blocks: θ₀ then the T task vectors, each [out, in]
 * in PyTorch's layout. The caller disposes what it gets. Asking again instead of holding the
 * tensors lets a sparse store rebuild its dense blocks for the backward pass rather than keep
 * every layer's alive meanwhile. Separate tensors, not one stack: slicing a block out of a stack
 * copies the whole stack on the wasm backend.
 */
export type BlocksProvider = () => tf.Tensor[];
