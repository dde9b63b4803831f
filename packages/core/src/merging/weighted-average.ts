import type * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { streamMerge } from '../tensors/streaming-merge.js';
import { meanTensors, weightedSumTensors } from '../tensors/tensor-math.js';
import type { TensorSource } from '../tensors/types.js';
import type { TensorSink } from './tensor-sink.js';

export interface WeightedAverageOptions {
  readonly sources: readonly TensorSource[];
  /**
   * One coefficient per source: the result is Σ wᵢθᵢ with the weights as given (normalise them
   * first for an average). Without weights, the plain mean (θ₁ + … + θₙ)/n, summed first and
   * divided once, as the reference simple average does.
   */
  readonly weights?: readonly number[];
  readonly onTensor: TensorSink;
}

/**
 * Averages the sources key by key, one tensor per source in memory at a time. Every source must
 * have the same keys and shapes. Keys that are not float (integer buffers) are copied from the
 * first source.
 */
export async function weightedAverage(options: WeightedAverageOptions): Promise<void> {
  const { sources, weights, onTensor } = options;
  check(sources.length > 0, 'no models to average: at least one is needed');
  check(
    weights === undefined || weights.length === sources.length,
    () => `${weights!.length} weights given for ${sources.length} models: one weight per model is needed`,
  );
  const combine = (_: string, tensors: readonly tf.Tensor[]): tf.Tensor => {
    if (tensors[0].dtype !== 'float32') return tensors[0];
    return weights ? weightedSumTensors(tensors, weights) : meanTensors(tensors);
  };
  await streamMerge({ sources, combine, onTensor });
}
