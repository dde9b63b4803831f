import { type Batch, check, type Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { withLinearInputs } from './linear-inputs.js';

export interface GramMatrices {
  /**
   * By Linear module name: G = XᵀX / rows, X the layer's inputs with every token a row
   * ([in, in], float32). Layers the forward pass never reached have no entry.
   */
  readonly grams: Map<string, tf.Tensor2D>;
  /** Rows (examples × tokens) each layer saw. */
  readonly rows: Map<string, number>;
  readonly examples: number;
}

/**
 * The Gram matrix of every Linear layer's inputs over the examples of `batches`, one forward pass
 * of `model` per batch (no gradients). XᵀX is summed over batches in float32 and divided once, which
 * equals the reference's running mean. The batches' tensors are disposed here.
 */
export async function captureGramMatrices(
  model: Module,
  batches: AsyncIterable<Batch>,
): Promise<GramMatrices> {
  const sums = new Map<string, tf.Tensor2D>();
  const rows = new Map<string, number>();
  let examples = 0;
  const observe = (name: string, x: tf.Tensor) => {
    const features = x.shape[x.rank - 1];
    const previous = sums.get(name);
    // The forward pass runs inside tf.tidy: keep the running sum out of its reach.
    const next = tf.keep(
      tf.tidy(() => {
        const flat = tf.reshape(x, [-1, features]);
        const xtx = tf.matMul(flat, flat, true, false);
        return previous ? tf.add(previous, xtx) : xtx;
      }),
    ) as tf.Tensor2D;
    previous?.dispose();
    sums.set(name, next);
    rows.set(name, (rows.get(name) ?? 0) + x.size / features);
  };
  try {
    await withLinearInputs(model, observe, async () => {
      for await (const batch of batches) {
        try {
          tf.tidy(() => {
            model.forward(batch.inputs);
          });
          examples += batch.inputs.shape[0];
        } finally {
          tf.dispose([batch.inputs, ...(batch.labels ? [batch.labels] : [])]);
        }
      }
    });
    check(examples > 0, 'captureGramMatrices: the batches held no examples');
    const grams = new Map<string, tf.Tensor2D>();
    for (const [name, sum] of sums) grams.set(name, tf.div(sum, rows.get(name)!));
    return { grams, rows, examples };
  } finally {
    tf.dispose([...sums.values()]);
  }
}
