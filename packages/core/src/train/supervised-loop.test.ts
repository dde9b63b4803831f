import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch, BatchOptions, Split, TaskData } from '../contracts/task-pool.js';
import { ToyEncoder, toyInitialWeights } from '../toy/toy-model.js';
import { toyWorld } from '../toy/toy-pools.js';
import { crossEntropy } from './losses.js';
import { SGD } from './optimizers.js';
import { runSupervised } from './supervised-loop.js';

const world = toyWorld();

/** Mean cross-entropy on the first 128 training examples of a task. */
async function trainLoss(encoder: ToyEncoder, task: string): Promise<number> {
  let value = 0;
  for await (const batch of world.batches(task, 'train', { batchSize: 128, limit: 128 })) {
    const loss = crossEntropy(
      world.head(task).forward(encoder.forward(batch.inputs)) as tf.Tensor,
      batch.labels!,
    );
    value = loss.dataSync()[0];
    tf.dispose([loss, batch.inputs, batch.labels!]);
  }
  return value;
}

describe('runSupervised', () => {
  it('lowers the cross-entropy of the tasks it trains on, from labelled training batches', async () => {
    const task = world.taskNames[0];
    const encoder = new ToyEncoder(world.config.model);
    const init = toyInitialWeights(world.config.model, 5);
    encoder.loadStateDict(init);
    tf.dispose([...init.values()]);
    const optimizer = new SGD(encoder.trainableVariables(), { lr: 0.1, momentum: 0.9 });
    const before = await trainLoss(encoder, task);
    const { history } = await runSupervised({
      tasks: [task],
      data: world,
      variables: encoder.trainableVariables(),
      optimizer,
      steps: 15,
      batchSize: 32,
      seed: 2,
      logitsForTask: (t, inputs) => world.head(t).forward(encoder.forward(inputs)) as tf.Tensor,
      progress: false,
    });
    expect(history).toHaveLength(15);
    expect(await trainLoss(encoder, task)).toBeLessThan(0.8 * before);
    optimizer.dispose();
    encoder.dispose();
  });

  it('refuses batches without labels, naming the task and split', async () => {
    const unlabelled: TaskData = {
      taskNames: ['bare'],
      size: () => 4,
      async *batches(_task: string, _split: Split, options: BatchOptions): AsyncIterable<Batch> {
        yield { inputs: tf.zeros([options.batchSize, 2]) };
      },
    };
    const w = tf.variable(tf.zeros([2, 3]));
    const optimizer = new SGD([w], { lr: 0.1 });
    const before = tf.memory().numTensors;
    await expect(
      runSupervised({
        tasks: ['bare'],
        data: unlabelled,
        variables: [w],
        optimizer,
        steps: 1,
        batchSize: 4,
        seed: 0,
        split: 'validation',
        logitsForTask: (_t, inputs) => tf.matMul(inputs, w),
        progress: false,
      }),
    ).rejects.toThrow(/^training: task 'bare' gave a 'validation' batch without labels$/);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    w.dispose();
  });
});
