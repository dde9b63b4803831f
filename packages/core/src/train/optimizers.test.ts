import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { crossEntropy } from './losses.js';
import { Adam, AdamW, type Optimizer, SGD } from './optimizers.js';
import { cosine } from './schedules.js';

// Written by tools/reference/adam_fixtures.py from torch.optim.
interface EncodedTensor {
  shape: number[];
  data: number[];
}

interface OptimizerCase {
  problem: 'quadratic' | 'linear';
  optimizer: 'adam' | 'adamw' | 'sgd';
  options: {
    lr: number;
    betas?: [number, number];
    eps?: number;
    weight_decay?: number;
    momentum?: number;
    dampening?: number;
    nesterov?: boolean;
  };
  cosine: { steps: number; min_factor: number } | null;
  lrs: number[];
  params: Record<string, number[][]>;
}

interface Fixture {
  problems: {
    quadratic: Record<'x' | 'a' | 'b' | 'c', EncodedTensor>;
    linear: Record<'weight' | 'bias' | 'inputs' | 'labels', EncodedTensor>;
  };
  cases: Record<string, OptimizerCase>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/train/optimizers.json', import.meta.url), 'utf8'),
) as Fixture;

/** Relative error with a floor of 1 on the scale, so values crossing zero are compared absolutely. */
const TOLERANCE = 1e-6;

const decode = (t: EncodedTensor, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(t.data, t.shape, dtype);

/** The problem's parameters as variables, and its loss as a function of them. */
function setUp(problem: OptimizerCase['problem']): {
  params: Map<string, tf.Variable>;
  loss: () => tf.Scalar;
} {
  if (problem === 'quadratic') {
    const p = fixture.problems.quadratic;
    const [a, b, c] = [decode(p.a), decode(p.b), decode(p.c)];
    const x = tf.variable(decode(p.x));
    const loss = () =>
      tf.add(
        tf.sum(tf.mul(a, tf.square(tf.sub(x, b)))),
        tf.mul(0.1, tf.sum(tf.mul(tf.pow(x, 3), c))),
      ) as tf.Scalar;
    return { params: new Map([['x', x]]), loss };
  }
  const p = fixture.problems.linear;
  const [inputs, labels] = [decode(p.inputs), decode(p.labels, 'int32') as tf.Tensor1D];
  const weight = tf.variable(decode(p.weight));
  const bias = tf.variable(decode(p.bias));
  const loss = () => crossEntropy(tf.add(tf.matMul(inputs, weight, false, true), bias), labels);
  return {
    params: new Map([
      ['weight', weight],
      ['bias', bias],
    ]),
    loss,
  };
}

function makeOptimizer(c: OptimizerCase, variables: tf.Variable[]): Optimizer {
  const o = c.options;
  if (c.optimizer === 'sgd') {
    return new SGD(variables, {
      lr: o.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weight_decay,
      nesterov: o.nesterov,
    });
  }
  const options = { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay };
  return c.optimizer === 'adam' ? new Adam(variables, options) : new AdamW(variables, options);
}

function worstError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  expected.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(actual[i] - e) / Math.max(1, Math.abs(e)));
  });
  return worst;
}

/**
 * Runs the case for `steps` updates (from `from`, whose state the caller set), checking the
 * learning rates and the parameters after every update against torch.
 */
function follow(
  c: OptimizerCase,
  optimizer: Optimizer,
  params: Map<string, tf.Variable>,
  loss: () => tf.Scalar,
  from: number,
  to: number,
): void {
  const schedule = c.cosine
    ? cosine(c.options.lr, c.cosine.steps, { minFactor: c.cosine.min_factor })
    : undefined;
  for (let step = from; step < to; step++) {
    if (schedule) optimizer.learningRate = schedule(step);
    expect(Math.abs(optimizer.learningRate - c.lrs[step])).toBeLessThanOrEqual(1e-15);
    const { value, grads } = tf.variableGrads(loss, [...params.values()]);
    optimizer.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
    for (const [name, variable] of params) {
      const error = worstError(variable.dataSync(), c.params[name][step]);
      expect(error, `${name} after step ${step + 1}`).toBeLessThanOrEqual(TOLERANCE);
    }
  }
}

describe('optimizers match torch.optim', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      const { params, loss } = setUp(c.problem);
      const optimizer = makeOptimizer(c, [...params.values()]);
      follow(c, optimizer, params, loss, 0, c.lrs.length);
      optimizer.dispose();
      tf.dispose([...params.values()]);
    });
  }

  it('continues exactly from state() loaded into a fresh optimizer', () => {
    for (const name of ['adam_linear_cosine', 'sgd_nesterov_linear']) {
      const c = fixture.cases[name];
      const { params, loss } = setUp(c.problem);
      const first = makeOptimizer(c, [...params.values()]);
      follow(c, first, params, loss, 0, 7);
      const state = first.state();
      first.dispose();
      const second = makeOptimizer(c, [...params.values()]);
      second.loadState(state);
      tf.dispose([...state.values()]);
      follow(c, second, params, loss, 7, c.lrs.length);
      second.dispose();
      tf.dispose([...params.values()]);
    }
  });
});

describe('Optimizer', () => {
  it('accepts gradients by variable and by name, and skips variables without one (as torch)', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const adam = new Adam([a, b], { lr: 0.1 });
    const g = tf.tensor1d([0.5, -0.5]);
    adam.step(new Map([[a, g]]));
    adam.step({ [a.name]: g });
    expect(Array.from(b.dataSync())).toEqual([3]);
    const state = adam.state();
    expect(Array.from(state.get('step')!.dataSync())).toEqual([2, 0]);
    expect([...state.keys()].sort()).toEqual([
      'exp_avg.0',
      'exp_avg.1',
      'exp_avg_sq.0',
      'exp_avg_sq.1',
      'step',
    ]);
    // The snapshot does not follow later updates.
    const before = Array.from(state.get('exp_avg.0')!.dataSync());
    adam.step(new Map([[a, g]]));
    expect(Array.from(state.get('exp_avg.0')!.dataSync())).toEqual(before);
    tf.dispose([g, a, b, ...state.values()]);
    adam.dispose();
  });

  it('does not leak tensors across steps', () => {
    const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1));
    const optimizers: Optimizer[] = [
      new Adam([w], { weightDecay: 0.1 }),
      new AdamW([w]),
      new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true }),
    ];
    for (const optimizer of optimizers) {
      const once = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]);
        optimizer.step(grads);
        tf.dispose([value, ...Object.values(grads)]);
      };
      once();
      const after1 = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) once();
      expect(tf.memory().numTensors).toBe(after1);
    }
    const withSlots = tf.memory().numTensors;
    for (const optimizer of optimizers) optimizer.dispose();
    // Adam and AdamW hold two slots, SGD with momentum one.
    expect(withSlots - tf.memory().numTensors).toBe(5);
    w.dispose();
  });

  it('rejects bad settings, foreign gradients and mismatched state with one-line errors', () => {
    const w = tf.variable(tf.zeros([2]));
    const other = tf.variable(tf.zeros([2]));
    expect(() => new Adam([w], { lr: -1 })).toThrow(/learning rate -1 is invalid/);
    expect(() => new Adam([w], { betas: [1, 0.9] })).toThrow(/beta1 1 is invalid/);
    expect(() => new SGD([w], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => new Adam([w, w])).toThrow(/listed twice/);
    const adam = new Adam([w]);
    expect(() => {
      adam.learningRate = Number.NaN;
    }).toThrow(MergebenchError);
    const g = tf.ones([2]);
    expect(() => adam.step(new Map([[other, g]]))).toThrow(/does not manage/);
    const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const sgdState = sgd.state();
    expect(() => adam.loadState(sgdState, 'ckpt/optimizer.safetensors')).toThrow(
      /^ckpt\/optimizer\.safetensors: does not fit this optimizer \(missing: exp_avg\.0, exp_avg_sq\.0; unexpected: momentum_buffer\.0\)$/,
    );
    tf.dispose([g, w, other, ...sgdState.values()]);
    adam.dispose();
    sgd.dispose();
  });
});
