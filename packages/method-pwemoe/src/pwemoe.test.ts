import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRunContainer,
  type MethodContext,
  memoryLogger,
  PRETRAINED,
  provide,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { ToyModelPool, toyWorld } from '@mergebench/core/testing';
import { routerVariables } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { collapseInto, paretoModules, setPreference } from './collapse.js';
import { pwemoeEpo, pwemoeLs, taskArithmeticFamily } from './components.js';
import { PreferenceRouter } from './preference-router.js';
import { upscaleParetoModel } from './upscale.js';

const world = toyWorld();

function context(): MethodContext {
  const container = createRunContainer();
  provide(container, TOKENS.taskData, world);
  provide(container, TOKENS.taskHeads, world);
  return { container, logger: memoryLogger(), runDir: mkdtempSync(join(tmpdir(), 'pwemoe-')), seed: 3 };
}

function inputs(): tf.Tensor {
  const { tokens, inputDim } = world.config.model;
  return tf.randomNormal([4, tokens, inputDim], 0, 1, 'float32', 11);
}

function outputs(model: { forward(x: tf.Tensor): unknown }, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.forward(x) as tf.Tensor).dataSync() as Float32Array);
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Randomises the routers so that the routing weights depend on the preference vector. */
function randomiseRouters(model: import('@mergebench/core').Module): void {
  let seed = 100;
  for (const variable of routerVariables(model).values()) {
    variable.assign(tf.randomNormal(variable.shape, 0, 0.5, 'float32', seed++));
  }
}

describe('the Pareto weight-ensembling model', () => {
  it('collapses exactly: the plain model for a preference gives the MoE output for it', async () => {
    const pool = await ToyModelPool.create();
    const { model, summary } = await upscaleParetoModel(pool, {
      initLambda: 0.3,
      kinds: ['mlp'],
      seed: 1,
      what: 'test',
    });
    randomiseRouters(model);
    model.eval();
    const x = inputs();
    const results: number[] = [];
    for (const ray of [
      [1, 0, 0],
      [0.2, 0.3, 0.5],
      [0, 0.5, 0.5],
    ]) {
      setPreference(model, ray);
      const moe = outputs(model, x);
      const plain = collapseInto(model, await pool.loadModel(PRETRAINED));
      results.push(maxAbsDifference(moe, outputs(plain, x)));
      plain.dispose();
    }
    // The routing weights differ by preference, so the rays give different models.
    setPreference(model, [1, 0, 0]);
    const first = outputs(model, x);
    setPreference(model, [0, 0, 1]);
    expect(maxAbsDifference(first, outputs(model, x))).toBeGreaterThan(1e-3);
    expect(Math.max(...results)).toBeLessThan(1e-6);
    expect(summary.sites).toHaveLength(2);
    expect(paretoModules(model).size).toBe(2);
    x.dispose();
    model.dispose();
  });

  it('with a preference remainder, merges the rest as task arithmetic does for the ray, and still collapses exactly', async () => {
    const pool = await ToyModelPool.create();
    const options = { initLambda: 0.3, kinds: ['mlp'] as const, seed: 1, what: 'test' };
    const fixed = await upscaleParetoModel(pool, options);
    const { model, remainder } = await upscaleParetoModel(pool, { ...options, preferenceRemainder: true });
    expect(fixed.remainder).toBeNull();
    const blocks = [...paretoModules(model).keys()];
    const outside = [...model.stateDict().keys()].filter(
      (key) => !blocks.some((b) => key.startsWith(`${b}.`)),
    );
    expect(outside.length).toBeGreaterThan(0);
    const values = (m: import('@mergebench/core').Module) =>
      outside.map((key) => Array.from(m.stateDict().get(key)!.dataSync()));
    // At equal weights, the reference's θ₀ + λ·Στᵢ.
    expect(maxAbsDifference(values(model).flat(), values(fixed.model).flat())).toBeLessThan(1e-6);

    const theta0 = await pool.loadModel(PRETRAINED);
    const second = await pool.loadModel(pool.modelNames[1]);
    const expected = values(theta0).map((row, k) =>
      row.map((v, j) => v + 0.3 * 3 * (values(second)[k][j] - v)),
    );
    randomiseRouters(model);
    model.eval();
    const x = inputs();
    for (const ray of [
      [0, 1, 0],
      [0.2, 0.3, 0.5],
    ]) {
      setPreference(model, ray);
      remainder!.set(ray);
      if (ray[1] === 1) expect(maxAbsDifference(values(model).flat(), expected.flat())).toBeLessThan(1e-5);
      const plain = collapseInto(model, await pool.loadModel(PRETRAINED));
      expect(maxAbsDifference(outputs(model, x), outputs(plain, x))).toBeLessThan(1e-6);
      plain.dispose();
    }
    tf.dispose(x);
    remainder!.dispose();
    for (const m of [model, fixed.model, theta0, second]) m.dispose();
  });

  it("a router with init 'task-arithmetic' starts at λ·T·ray, and its extra hidden units can still learn", () => {
    const router = new PreferenceRouter({ tasks: 3, initLambda: 0.3, seed: 5, init: 'task-arithmetic' });
    for (const ray of [
      [1, 0, 0],
      [0, 0, 1],
      [0.2, 0.3, 0.5],
    ]) {
      const r = tf.tidy(() => Array.from(router.forward(tf.tensor1d(ray)).dataSync()));
      const taskArithmetic = ray.map((v) => 0.3 * 3 * v);
      expect(maxAbsDifference(r, taskArithmetic)).toBeLessThan(1e-7);
    }
    const params = [...router.namedParameters()];
    const grads = tf.variableGrads(
      () => tf.sum(tf.square(router.forward(tf.tensor1d([0.2, 0.3, 0.5])))) as tf.Scalar,
      params.map(([, v]) => v as tf.Variable),
    );
    // The extra hidden units' output weights start at 0 but get a gradient, so they can learn.
    const fc2Weight = params.find(([name]) => name === 'fc2.weight')![1];
    const fc2 = grads.grads[fc2Weight.name].arraySync() as number[][];
    expect(Math.max(...fc2.flatMap((row) => row.slice(3).map(Math.abs)))).toBeGreaterThan(0);
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    router.dispose();
  });

  it('trains only the routers, and the gradient reaches them through the merged weights', async () => {
    const pool = await ToyModelPool.create();
    const { model } = await upscaleParetoModel(pool, {
      initLambda: 0.3,
      kinds: ['mlp'],
      seed: 1,
      what: 'test',
    });
    const routers = routerVariables(model);
    // Per block: Linear 3→6 and Linear 6→3.
    expect([...routers.values()].reduce((n, v) => n + v.size, 0)).toBe(2 * (3 * 6 + 6 + 6 * 3 + 3));
    expect([...routers.keys()].every((key) => key.includes('.router.'))).toBe(true);
    setPreference(model, [0.2, 0.3, 0.5]);
    const x = inputs();
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.forward(x) as tf.Tensor)) as tf.Scalar,
      [...routers.values()],
    );
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0]));
    expect(norms.every((n) => n > 0)).toBe(true);
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  });
});

async function run(component: typeof pwemoeLs, values: Record<string, unknown>, pool?: ToyModelPool) {
  const params = validateParams(
    'method',
    {
      upscale_attention: false,
      max_steps: 4,
      batch_size: 8,
      lr: 0.01,
      grid_points: 3,
      progress: false,
      ...values,
    },
    component.info.params,
  );
  const ctx = context();
  const method = await component.create({ params, container: createRunContainer(), baseDir: ctx.runDir });
  return { result: await method.run(pool ?? (await ToyModelPool.create()), ctx), ctx };
}

describe('the methods', () => {
  it('return the family over the grid; a member equals the plain model asked for by preference', async () => {
    const { result, ctx } = await run(pwemoeLs, {});
    expect(result.kind).toBe('family');
    if (result.kind !== 'family') return;
    expect(result.members.map((m) => m.label)).toEqual([
      '1,0,0',
      '0.5,0.5,0',
      '0.5,0,0.5',
      '0,1,0',
      '0,0.5,0.5',
      '0,0,1',
    ]);
    expect(readdirSync(ctx.runDir).sort()).toEqual(['history.csv', 'routers.safetensors']);
    const member = await result.members[1].model();
    const single = await run(pwemoeLs, { preference: [0.5, 0.5, 0] });
    expect(single.result.kind).toBe('model');
    if (single.result.kind !== 'model') return;
    const x = inputs();
    expect(maxAbsDifference(outputs(member, x), outputs(single.result.model, x))).toBeLessThan(1e-5);
    tf.dispose(x);
    member.dispose();
    single.result.model.dispose();
  });

  it('with preference_remainder, a member still equals the plain model asked for by preference', async () => {
    const { result } = await run(pwemoeLs, { preference_remainder: true });
    if (result.kind !== 'family') throw new Error('expected a family');
    expect(result.artifacts).toMatchObject({ preferenceRemainder: true });
    const member = await result.members[0].model();
    const single = await run(pwemoeLs, { preference_remainder: true, preference: [1, 0, 0] });
    if (single.result.kind !== 'model') throw new Error('expected a model');
    const reference = await run(pwemoeLs, { preference: [1, 0, 0] });
    if (reference.result.kind !== 'model') throw new Error('expected a model');
    const x = inputs();
    expect(maxAbsDifference(outputs(member, x), outputs(single.result.model, x))).toBeLessThan(1e-5);
    // The one-hot member differs from the reference's, whose rest carries every task vector.
    expect(maxAbsDifference(outputs(member, x), outputs(reference.result.model, x))).toBeGreaterThan(1e-3);
    tf.dispose(x);
    for (const m of [member, single.result.model, reference.result.model]) m.dispose();
  });

  it("with router_init 'task-arithmetic' and preference_remainder, the untrained family is task arithmetic's", async () => {
    const { result } = await run(pwemoeLs, {
      preference_remainder: true,
      router_init: 'task-arithmetic',
      max_steps: 0,
    });
    const params = validateParams(
      'method',
      { scaling_factor: 0.3, grid_points: 3 },
      taskArithmeticFamily.info.params,
    );
    const ctx = context();
    const family = await taskArithmeticFamily.create({
      params,
      container: createRunContainer(),
      baseDir: ctx.runDir,
    });
    const baseline = await family.run(await ToyModelPool.create(), ctx);
    if (result.kind !== 'family' || baseline.kind !== 'family') throw new Error('expected families');
    expect(result.artifacts).toMatchObject({ routerInit: 'task-arithmetic' });
    const x = inputs();
    for (const [i, member] of result.members.entries()) {
      const ta = baseline.members[i];
      expect(member.label).toBe(ta.label);
      const [a, b] = [await member.model(), await ta.model()];
      expect(maxAbsDifference(outputs(a, x), outputs(b, x))).toBeLessThan(1e-5);
      a.dispose();
      b.dispose();
    }
    tf.dispose(x);
  });

  it('EPO trains with LP weights and reports its moves and fall-backs', async () => {
    const { result } = await run(pwemoeEpo, { max_steps: 5 });
    const epo = (
      result.artifacts as { epo: { fallbacks: number; balanceSteps: number; descentSteps: number } }
    ).epo;
    expect(epo.balanceSteps + epo.descentSteps).toBe(5);
    expect(epo.fallbacks).toBeGreaterThanOrEqual(0);
    expect(result.artifacts).toMatchObject({ loss: 'epo', steps: 5, upscaledSites: 2 });
  });

  it('refuses bad input with one clear line', async () => {
    await expect(run(pwemoeLs, { preference: [0.5, 0.5] })).rejects.toThrow(
      'method pwemoe-ls.preference: preference vector [0.5, 0.5] has 2 entries, expected one per task (3)',
    );
    await expect(run(pwemoeLs, { preference: [0, 0, 0] })).rejects.toThrow(/is all zeros/);
    expect(() => validateParams('method', { preference: [0.5, -0.5, 1] }, pwemoeLs.info.params)).toThrow(
      /preference/,
    );
    expect(() => validateParams('method', { alpha: 0 }, pwemoeLs.info.params)).toThrow(/alpha/);
    await expect(run(pwemoeEpo, {}, await ToyModelPool.create({ tasks: 1 }))).rejects.toThrow(
      'method pwemoe-epo: EPO needs at least 2 tasks, the model pool has 1; use pwemoe-ls',
    );
    await expect(run(pwemoeLs, { upscale_attention: true })).rejects.toThrow(
      /declares no 'attention' blocks to upscale; set upscale_attention: false/,
    );
  });
});
