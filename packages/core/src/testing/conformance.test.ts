import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Component } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { definePlugin } from '../contracts/plugin.js';
import { MergebenchError } from '../errors.js';
import { checkPluginConformance, pluginConformanceFailures } from './conformance.js';

/** A method that merges by taking the first model, with a hook to misbehave. */
function method(
  name: string,
  hook: (pool: Parameters<Method['run']>[0]) => void = () => {},
): Component<Method> {
  return {
    info: { kind: 'method', name, description: 'the first model', params: [] },
    create: () => ({
      async run(pool) {
        hook(pool);
        return { kind: 'model', model: await pool.loadModel(pool.modelNames[0]) };
      },
    }),
  };
}

const pluginOf = (...components: Component<Method>[]) =>
  definePlugin({
    name: 'p',
    register: (r) => {
      for (const c of components) r.method(c);
    },
  });

describe('plugin conformance', () => {
  it('passes a well-behaved method', async () => {
    await expect(pluginConformanceFailures(pluginOf(method('first')))).resolves.toEqual([]);
  });

  it('reports every failure, one line each, instead of stopping at the first', async () => {
    const undocumented: Component<Method> = {
      ...method('Bad Name'),
      info: {
        kind: 'method',
        name: 'Bad Name',
        description: '',
        params: [{ name: 'k', type: 'number', default: 'x' as unknown as number, description: '' }],
      },
    };
    const failures = await pluginConformanceFailures(pluginOf(undocumented));
    expect(failures).toEqual(
      expect.arrayContaining([
        "method 'Bad Name': name must be lower-case kebab/snake case",
        "method 'Bad Name': description is empty",
        "method 'Bad Name': parameter 'k' has no description",
        expect.stringMatching(/^method 'Bad Name': its defaults do not validate: /),
      ]),
    );
  });

  it('fails a method that is not deterministic under a seed', async () => {
    const noisy = method('noisy');
    noisy.create = () => ({
      async run(pool) {
        const model = await pool.loadModel(pool.modelNames[0]);
        const [key, t] = [...model.stateDict()][0];
        // Math.random instead of ctx.seed: two runs differ.
        const shifted = tf.tidy(() => t.add(Math.random()));
        model.loadStateDict(new Map([[key, shifted]]), { strict: false });
        shifted.dispose();
        return { kind: 'model', model };
      },
    });
    const failures = await pluginConformanceFailures(pluginOf(noisy));
    expect(failures).toEqual([
      expect.stringMatching(
        /^method 'noisy' is not deterministic under a seed: two runs with seed 0 differ at '.+'$/,
      ),
    ]);
  });

  it('fails a method whose error a user can cause is not a MergebenchError', async () => {
    const careless = method('careless', (pool) => {
      // A TypeError in the user's face instead of a line saying what is missing.
      if (pool.modelNames.length === 0) (undefined as unknown as { x: number }).x;
    });
    const careful = method('careful', (pool) => {
      if (pool.modelNames.length === 0) throw new MergebenchError('method careful: the pool has no models');
    });
    const failures = await pluginConformanceFailures(pluginOf(careless, careful));
    expect(failures).toEqual([
      expect.stringMatching(
        /^method 'careless' fails on a pool without fine-tuned models with TypeError: .*; errors a user can cause must be a MergebenchError/,
      ),
    ]);
  });

  it('fails a method that leaves tensors alive, and says so when used as a test assertion', async () => {
    const leaky = method('leaky', () => {
      tf.zeros([2]);
    });
    await expect(checkPluginConformance(pluginOf(leaky))).rejects.toThrow(
      "plugin p: method 'leaky' leaves 1 tensors alive after its result is disposed",
    );
  });
});
