import * as tf from '@tensorflow/tfjs';

// tfjs's gather gradient needs the UnsortedSegmentSum kernel, which the wasm backend lacks;
// scatterND sums rows of repeated ids the same way and runs on every backend.
const gatherRowsWithGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  const numRows = table.shape[0];
  const rowShape = table.shape.slice(1);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, [savedIds]: tf.Tensor[]) => {
      const rowGrads = tf.reshape(dy, [savedIds.size, ...rowShape]);
      const indices = tf.reshape(savedIds, [savedIds.size, 1]);
      return [tf.scatterND(indices, rowGrads, [numRows, ...rowShape]), tf.zerosLike(savedIds)];
    },
  };
});

/** The rows of `table` at int32 `ids` of any shape: [...ids.shape, ...table.shape.slice(1)]. */
export function gatherRows(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return gatherRowsWithGrad(table, ids);
}
