import { check, float32Values, formatShape, readAll, sameShape, type TensorSource } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * τᵢ = θᵢ − θ₀ of one parameter for each source, rounded to float32, in host memory: the form
 * methods keep task vectors in when the tensor backend's heap cannot hold them all.
 * `theta0` is θ₀'s values and `shape` its shape, which every source must share.
 */
export async function taskVectorsOf(
  sources: readonly TensorSource[],
  key: string,
  theta0: Float32Array,
  shape: readonly number[],
): Promise<Float32Array[]> {
  for (const source of sources) {
    const found = source.info(key).shape;
    check(
      sameShape(found, shape),
      () =>
        `${source.origin}: '${key}' has shape ${formatShape(found)}, the pretrained model's is ${formatShape(shape)}`,
    );
  }
  const tensors = await readAll(sources, key);
  try {
    return tensors.map((t) => {
      const theta = float32Values(t);
      const tau = new Float32Array(theta0.length);
      // The difference of two float32 values, rounded once when stored: float32 subtraction.
      for (let i = 0; i < tau.length; i++) tau[i] = theta[i] - theta0[i];
      return tau;
    });
  } finally {
    tf.dispose(tensors);
  }
}
