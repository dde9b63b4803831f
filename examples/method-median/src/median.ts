import { MergebenchError, type ModelPool, type Module, modelWriter, withWeights } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

const WHAT = 'method median';

/**
 * The element-wise median of a stack [n, ...shape] along its first axis: with an even n, the
 * mean of the two middle values (as numpy.median and torch.quantile(q=0.5) give).
 */
export function medianOfStack(stack: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [n, ...shape] = stack.shape;
    // top-k sorts the last axis in descending order; move the model axis there.
    const columns = tf.transpose(stack.reshape([n, -1]));
    const sorted = tf.topk(columns, n).values;
    const upper = sorted.slice([0, Math.floor((n - 1) / 2)], [-1, 1]);
    const lower = sorted.slice([0, Math.floor(n / 2)], [-1, 1]);
    return upper.add(lower).div(2).reshape(shape);
  });
}

/**
 * The element-wise median of the pool's fine-tuned models (the pretrained model takes no part),
 * streamed one parameter at a time and written into the first fine-tuned model.
 */
export async function mergeMedian(pool: ModelPool): Promise<Module> {
  if (pool.modelNames.length === 0) {
    throw new MergebenchError(`${WHAT}: the model pool lists no fine-tuned models to merge`);
  }
  const model = await pool.loadModel(pool.modelNames[0]);
  try {
    const writer = modelWriter(model, WHAT);
    await withWeights(pool, pool.modelNames, async (sources) => {
      for (const key of model.stateDict().keys()) {
        const tensors = await Promise.all(sources.map((s) => s.read(key)));
        try {
          writer.write(
            key,
            tf.tidy(() => medianOfStack(tf.stack(tensors.map((t) => t.toFloat())))),
          );
        } finally {
          tf.dispose(tensors);
        }
      }
    });
    writer.finish();
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
