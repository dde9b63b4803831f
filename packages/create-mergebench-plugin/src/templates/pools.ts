import { pluginIndex } from './method.js';
import type { PluginSpec } from './project.js';

/**
 * A model pool: a chosen subset of mergebench's toy models, as a starting point that runs at
 * once; replace the toy pool with your model family's loading (checkpoints on disk, the Hub).
 */
export function modelpoolFiles(spec: PluginSpec): Record<string, string> {
  const { name, packageName } = spec;
  return {
    [`configs/modelpool/${name}-first-two.yaml`]: `# A preset: \`modelpool=${name}-first-two\`.\nname: ${name}\nmodels: [toy0, toy1]\n`,
    'src/pool.ts': `import { MergebenchError, type ModelPool, type Module, PRETRAINED, type TensorSource } from '@mergebench/core';

/** Another pool's models, restricted to the names given (the pretrained model stays). */
export class SubsetPool implements ModelPool {
  readonly modelNames: readonly string[];
  readonly hasPretrained: boolean;

  constructor(
    private readonly inner: ModelPool,
    models: readonly string[] | null,
  ) {
    const unknown = (models ?? []).filter((m) => !inner.modelNames.includes(m));
    if (unknown.length > 0) {
      throw new MergebenchError(
        'modelpool ${name}: models: unknown ' + unknown.join(', ') + '; available: ' + inner.modelNames.join(', '),
      );
    }
    this.modelNames = models ?? inner.modelNames;
    this.hasPretrained = inner.hasPretrained;
  }

  private check(name: string): void {
    if (name !== PRETRAINED && !this.modelNames.includes(name)) {
      throw new MergebenchError('modelpool ${name}: no model ' + name + '; available: ' + this.modelNames.join(', '));
    }
  }

  async loadModel(name: string): Promise<Module> {
    this.check(name);
    return this.inner.loadModel(name);
  }

  async openWeights(name: string): Promise<TensorSource> {
    this.check(name);
    return this.inner.openWeights(name);
  }

  saveModel(model: Module, dir: string, options?: { overwrite?: boolean }): Promise<void> {
    return this.inner.saveModel(model, dir, options);
  }
}
`,
    'src/component.ts': `import type { Component, ModelPool } from '@mergebench/core';
import { ToyModelPool } from '@mergebench/core/testing';
import { SubsetPool } from './pool.js';

export const modelpool: Component<ModelPool> = {
  info: {
    kind: 'modelpool',
    name: '${name}',
    description: "A subset of mergebench's toy models (replace with your model family).",
    params: [
      {
        name: 'models',
        type: 'string[]',
        default: null,
        nullable: true,
        description: 'The fine-tuned models to serve (null: all of them)',
      },
    ],
  },
  create: async ({ params }) =>
    new SubsetPool(await ToyModelPool.create(), params.models as string[] | null),
};
`,
    'src/index.ts': pluginIndex(packageName, 'modelpool', 'modelpool'),
    [`src/${name}.test.ts`]: toyRunTest(spec, 'modelpool', [
      'method=dummy',
      `modelpool=${name}-first-two`,
      'taskpool=toy',
    ]),
  };
}

/**
 * A task pool: mergebench's toy tasks, evaluated on a chosen subset, as a starting point that
 * runs at once; replace it with your data sets, heads and metrics.
 */
export function taskpoolFiles(spec: PluginSpec): Record<string, string> {
  const { name, packageName } = spec;
  return {
    [`configs/taskpool/${name}-two-tasks.yaml`]: `# A preset: \`taskpool=${name}-two-tasks\`.\nname: ${name}\ntasks: [toy0, toy1]\n`,
    'src/component.ts': `import { type Component, MergebenchError, type TaskPool } from '@mergebench/core';
import { ToyTaskPool, toyWorld } from '@mergebench/core/testing';

export const taskpool: Component<TaskPool> = {
  info: {
    kind: 'taskpool',
    name: '${name}',
    description: "Mergebench's toy tasks, evaluated on the ones chosen (replace with your tasks).",
    params: [
      {
        name: 'tasks',
        type: 'string[]',
        default: null,
        nullable: true,
        description: 'The tasks to evaluate (null: all of them)',
      },
    ],
  },
  create: ({ params }) => {
    const inner = new ToyTaskPool(toyWorld());
    const tasks = (params.tasks as string[] | null) ?? inner.taskNames;
    const unknown = tasks.filter((t) => !inner.taskNames.includes(t));
    if (unknown.length > 0) {
      throw new MergebenchError(
        'taskpool ${name}: tasks: unknown ' + unknown.join(', ') + '; available: ' + inner.taskNames.join(', '),
      );
    }
    return {
      taskNames: tasks,
      evaluate: (model, options) => inner.evaluate(model, { ...options, tasks: options?.tasks ?? tasks }),
      // Methods reach task data and heads through the run's container, never by importing this package.
      registerServices: (container) => inner.registerServices(container),
    };
  },
};
`,
    'src/index.ts': pluginIndex(packageName, 'taskpool', 'taskpool'),
    [`src/${name}.test.ts`]: toyRunTest(spec, 'taskpool', [
      'method=dummy',
      'modelpool=toy',
      `taskpool=${name}-two-tasks`,
    ]),
  };
}

function toyRunTest(spec: PluginSpec, kind: string, overrides: string[]): string {
  const { name, packageName } = spec;
  return `import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describe('${packageName}', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('runs with its preset on the toy world', async () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd: mkdtempSync(path.join(tmpdir(), '${name}-')),
      registry,
      overrides: ${JSON.stringify([...overrides, 'backend=cpu'])},
    });
    expect(report.${kind}).toMatchObject({ name: '${name}', package: '${packageName}' });
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
  });
});
`;
}
