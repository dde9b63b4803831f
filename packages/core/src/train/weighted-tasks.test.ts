import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ToyEncoder, toyInitialWeights } from '../toy/toy-model.js';
import { toyWorld } from '../toy/toy-pools.js';
import { SGD } from './optimizers.js';
import { runSupervised } from './supervised-loop.js';

const world = toyWorld();

/** A fresh toy encoder and one SGD step of it under `weighTasks`/`beforeStep`; returns its weights after. */
async function oneStep(options: {
  weighTasks?: (step: number, losses: readonly number[]) => readonly number[];
  beforeStep?: (step: number) => void;
}): Promise<{ weights: Float32Array[]; loss: number; taskLosses: Record<string, number> }> {
  const encoder = new ToyEncoder(world.config.model);
  const init = toyInitialWeights(world.config.model, 5);
  encoder.loadStateDict(init);
  tf.dispose([...init.values()]);
  const optimizer = new SGD(encoder.trainableVariables(), { lr: 0.1 });
  const { history } = await runSupervised({
    tasks: world.taskNames.slice(0, 2),
    data: world,
    variables: encoder.trainableVariables(),
    optimizer,
    steps: 1,
    batchSize: 16,
    seed: 2,
    logitsForTask: (t, inputs) => world.head(t).forward(encoder.forward(inputs)) as tf.Tensor,
    progress: false,
    ...options,
  });
  const weights = encoder.trainableVariables().map((v) => v.dataSync().slice() as Float32Array);
  optimizer.dispose();
  encoder.dispose();
  return { weights, loss: history[0].loss, taskLosses: history[0].taskLosses };
}

function maxAbsDifference(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i][j])))));
}

describe('weighTasks and beforeStep', () => {
  it('weights of 1 reproduce the plain sum; other weights change the update and the recorded loss', async () => {
    const before = tf.memory().numTensors;
    const plain = await oneStep({});
    const ones = await oneStep({ weighTasks: () => [1, 1] });
    expect(maxAbsDifference(plain.weights, ones.weights)).toBeLessThan(1e-7);
    expect(ones.loss).toBeCloseTo(plain.loss, 10);

    const seen: number[] = [];
    const weighted = await oneStep({ beforeStep: (step) => seen.push(step), weighTasks: () => [0.25, 0.75] });
    expect(seen).toEqual([1]);
    const [a, b] = Object.values(weighted.taskLosses);
    expect(weighted.loss).toBeCloseTo(0.25 * a + 0.75 * b, 10);
    expect(maxAbsDifference(plain.weights, weighted.weights)).toBeGreaterThan(1e-6);

    // Weights [1, 0]: only the first task's loss counts.
    const first = await oneStep({ weighTasks: () => [1, 0] });
    expect(first.loss).toBeCloseTo(a, 10);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weights of the wrong count or not finite, naming the step', async () => {
    await expect(oneStep({ weighTasks: () => [1] })).rejects.toThrow(
      'training: weighTasks gave [1] at step 1, not 2 finite weights',
    );
    await expect(oneStep({ weighTasks: () => [1, Number.NaN] })).rejects.toThrow(/not 2 finite weights/);
  });
});
