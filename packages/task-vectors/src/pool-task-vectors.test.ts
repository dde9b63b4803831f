import { memoryLogger, PRETRAINED, WeightsPool } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { taskArithmeticRules } from './merge-rules.js';
import { mergePoolTaskVectors } from './pool-task-vectors.js';

const weights = (w: number[], bias: number) =>
  new Map<string, tf.Tensor>([
    ['encoder.layer.weight', tf.tensor2d(w, [2, 2])],
    ['encoder.layer.bias', tf.tensor1d([bias, bias])],
    ['scale', tf.scalar(1)],
  ]);

describe('merging task vectors into a pool model', () => {
  const pool = () =>
    WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, weights([1, 1, 1, 1], 0)],
        ['a', weights([2, 1, 1, 1], 1)],
        ['b', weights([1, 3, 1, 1], -1)],
      ]),
    );

  it('loads only the pretrained model and writes the merge into it', async () => {
    const p = pool();
    const loaded: string[] = [];
    const load = p.loadModel.bind(p);
    p.loadModel = (name) => {
      loaded.push(name);
      return load(name);
    };
    const logger = memoryLogger();
    const { model } = await mergePoolTaskVectors(p, taskArithmeticRules(0.5, ['sc*', 'head.*']), {
      what: 'method test',
      logger,
    });
    expect(loaded).toEqual([PRETRAINED]);
    expect(model.stateDict().get('encoder.layer.weight')!.arraySync()).toEqual([
      [1.5, 2],
      [1, 1],
    ]);
    expect(model.stateDict().get('encoder.layer.bias')!.arraySync()).toEqual([0, 0]);
    expect(logger.lines).toEqual([
      'warning: method test: exclude_keys has patterns that match no parameter of the model: head.*',
    ]);
    model.dispose();
  });
});
