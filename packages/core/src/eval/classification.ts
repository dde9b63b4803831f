import * as tf from '@tensorflow/tfjs';
import type {
  EvaluateOptions,
  TaskData,
  TaskHeads,
  TaskMetrics,
  TaskPoolResult,
} from '../contracts/task-pool.js';
import { check } from '../errors.js';
import type { Module } from '../nn/module.js';

export interface ClassificationEvalOptions extends EvaluateOptions {
  readonly batchSize?: number;
  /** Evaluate on the first `limit` test examples of each task. */
  readonly limit?: number;
}

/** Top-1 accuracy and mean cross-entropy of `model` + each task's head on the test split. */
export async function evaluateClassification(
  model: Module,
  data: TaskData,
  heads: TaskHeads,
  options: ClassificationEvalOptions = {},
): Promise<TaskPoolResult> {
  const tasks: Record<string, TaskMetrics> = {};
  const batchSize = options.batchSize ?? 64;
  for (const task of options.tasks ?? data.taskNames) {
    const head = heads.head(task);
    const total = Math.min(data.size(task, 'test'), options.limit ?? Number.POSITIVE_INFINITY);
    check(total > 0, `task ${task}: the test split is empty`);
    let correct = 0;
    let lossSum = 0;
    let seen = 0;
    for await (const batch of data.batches(task, 'test', { batchSize, limit: options.limit })) {
      const labels = batch.labels;
      check(labels, `task ${task}: the test split has no labels, so it cannot be scored`);
      const [hits, loss] = tf.tidy(() => {
        const logits = head.forward(model.forward(batch.inputs)) as tf.Tensor2D;
        const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
        const ce = tf.losses.softmaxCrossEntropy(onehot, logits, undefined, undefined, tf.Reduction.SUM);
        const hit = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
        return [hit.dataSync()[0], ce.dataSync()[0]];
      });
      correct += hits;
      lossSum += loss;
      seen += labels.shape[0];
      tf.dispose([batch.inputs, labels]);
      options.onProgress?.(task, seen, total);
    }
    tasks[task] = { accuracy: correct / seen, loss: lossSum / seen, count: seen };
  }
  const values = Object.values(tasks);
  const mean = (f: (m: TaskMetrics) => number) => values.reduce((s, m) => s + f(m), 0) / values.length;
  return { tasks, average: { accuracy: mean((m) => m.accuracy), loss: mean((m) => m.loss) } };
}
