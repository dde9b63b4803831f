import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Batch,
  type BatchOptions,
  Module,
  type Split,
  type TaskData,
  type TaskHeads,
} from '@mergebench/core';
import { ToyModelPool } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamergingLayerWise } from './components.js';
import { context, createMethod, world } from './run.test.helpers.js';

// Fine-tuning barely matters for these checks; a short one keeps the file fast.
const pool = () => ToyModelPool.create({ finetuneSteps: 5 });
const FAST = { max_steps: 2, save_state_every: 0 };

/** The toy world's data with some tasks left out or emptied. */
function dataWith({ only, empty }: { only?: string[]; empty?: string }): TaskData {
  return {
    taskNames: only ?? world.taskNames,
    size: (task: string, split: Split) => (task === empty ? 0 : world.size(task, split)),
    batches: (task: string, split: Split, options: BatchOptions): AsyncIterable<Batch> =>
      world.batches(task, split, options),
  };
}

/** A head that starts producing NaN logits on its `from`-th call. */
class NanAfter extends Module {
  calls = 0;
  constructor(
    private readonly inner: Module,
    private readonly from: number,
  ) {
    super();
  }
  forward(features: tf.Tensor): tf.Tensor {
    this.calls += 1;
    const logits = this.inner.forward(features) as tf.Tensor;
    if (this.calls < this.from) return logits;
    return tf.tidy(() => tf.mul(logits, Number.NaN));
  }
}

async function failure(values: Record<string, unknown>, ctx = context(), modelpool?: ToyModelPool) {
  const method = await createMethod(adamergingLayerWise, { ...FAST, ...values });
  const thePool = modelpool ?? (await pool());
  const before = tf.memory().numTensors;
  const error = await method.run(thePool, ctx).then(
    () => new Error('expected the run to fail'),
    (err: Error) => err,
  );
  expect(tf.memory().numTensors).toBe(before);
  return error;
}

describe('bad input is a one-line error', () => {
  it('a model pool without a pretrained model', async () => {
    const base = await pool();
    const withoutPretrained = Object.assign(Object.create(base), { hasPretrained: false }) as ToyModelPool;
    const error = await failure({}, context(), withoutPretrained);
    expect(error.message).toBe(
      'method adamerging-layer-wise: the model pool has no _pretrained_ model, which the task vectors are measured from (it has toy0, toy1, toy2)',
    );
  });

  it('a task pool without data for one of the models', async () => {
    const error = await failure({}, context({ data: dataWith({ only: ['toy0', 'toy2'] }) }));
    expect(error.message).toBe(
      "method adamerging-layer-wise: the task pool has no data for model 'toy1' (its tasks: toy0, toy2)",
    );
  });

  it('a task without test data', async () => {
    const error = await failure({}, context({ data: dataWith({ empty: 'toy2' }) }));
    expect(error.message).toBe("method adamerging-layer-wise: task 'toy2' has no test data to adapt on");
  });

  it('a task pool that provides no heads', async () => {
    const error = await failure({}, context({ heads: null }));
    expect(error.message).toMatch(
      /^method adamerging-layer-wise needs taskHeads, which nothing in this run provides/,
    );
  });

  it('a task pool that provides no data', async () => {
    const error = await failure({}, context({ data: null }));
    expect(error.message).toMatch(
      /^method adamerging-layer-wise needs taskData, which nothing in this run provides/,
    );
  });

  it('a non-finite loss stops the run at its step, keeping the last good training state', async () => {
    const nan = new NanAfter(world.head('toy1'), 4);
    const heads: TaskHeads = {
      taskNames: world.taskNames,
      head: (task) => (task === 'toy1' ? nan : world.head(task)),
      numClasses: () => world.numClasses(),
    };
    const ctx = context({ heads });
    const error = await failure({ max_steps: 10, save_state_every: 2 }, ctx);
    const saved = join(ctx.runDir, 'training-state', 'adamerging-layer-wise');
    expect(error.message).toBe(
      `adaptation stopped at step 4: the loss of task 'toy1' is NaN; last good training state: ${join(saved, 'step-00000002')}`,
    );
    expect(readdirSync(saved)).toEqual(['step-00000002']);
    expect(existsSync(join(ctx.runDir, 'coefficients.json'))).toBe(false);
  });

  it('a coefficients file that does not exist', async () => {
    const error = await failure(
      { coefficients: '/nowhere/coefficients.json' },
      context({ data: null, heads: null }),
    );
    expect(error.message).toBe('/nowhere/coefficients.json: cannot read the coefficients (ENOENT)');
  });
});
