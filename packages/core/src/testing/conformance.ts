import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { builtinPlugin } from '../builtin/plugin.js';
import { validateParams } from '../config/validate.js';
import { COMPONENT_KINDS, type Component, type ComponentInfo } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { type ModelPool, PRETRAINED } from '../contracts/model-pool.js';
import type { MergebenchPlugin } from '../contracts/plugin.js';
import { createRunContainer } from '../di/container.js';
import { provide, TOKENS } from '../di/tokens.js';
import { MergebenchError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { silentLogger } from '../program/loggers.js';
import { ToyModelPool, ToyTaskPool, toyWorld } from '../toy/toy-pools.js';

export interface ConformanceOptions {
  /** Parameters to run a method with on the toy pools, by method name (defaults otherwise). */
  readonly methodParams?: Readonly<Record<string, Record<string, unknown>>>;
  /** Methods that cannot run on the toy pools (say why in the test). */
  readonly skipRun?: readonly string[];
  /** Folder methods may write into during the toy run (default: a temp folder). */
  readonly runDir?: string;
}

class ConformanceError extends MergebenchError {
  override name = 'ConformanceError';
}

/** The pretrained toy model and no fine-tuned one: a pool a user can misconfigure into. */
function emptyPool(toy: ToyModelPool): ModelPool {
  return {
    modelNames: [],
    hasPretrained: true,
    loadModel: (name) => toy.loadModel(name === PRETRAINED ? name : `${name} (not in this pool)`),
    openWeights: (name) => toy.openWeights(name === PRETRAINED ? name : `${name} (not in this pool)`),
    saveModel: (model, dir, options) => toy.saveModel(model, dir, options),
  };
}

function declarationFailures(info: ComponentInfo): string[] {
  const where = `${info.kind} '${info.name}'`;
  const failures: string[] = [];
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(info.name))
    failures.push(`${where}: name must be lower-case kebab/snake case`);
  if (!info.description?.trim()) failures.push(`${where}: description is empty`);
  const seen = new Set<string>();
  for (const p of info.params) {
    if (seen.has(p.name)) failures.push(`${where}: parameter '${p.name}' is declared twice`);
    seen.add(p.name);
    if (p.name === 'name') failures.push(`${where}: 'name' is reserved (it selects the component)`);
    if (!p.description?.trim()) failures.push(`${where}: parameter '${p.name}' has no description`);
  }
  if (info.paper && !/^https?:\/\//.test(info.paper.url)) failures.push(`${where}: paper url is not a link`);
  // Every declared default must satisfy its own declaration.
  const defaults = Object.fromEntries(
    info.params.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]),
  );
  if (info.params.every((p) => p.default !== undefined)) {
    try {
      validateParams(info.kind, defaults, info.params);
    } catch (e) {
      failures.push(`${where}: its defaults do not validate: ${(e as Error).message}`);
    }
  }
  return failures;
}

/** The merged model of a result (the first member of a family). */
async function resultModel(result: Awaited<ReturnType<Method['run']>>): Promise<Module | string> {
  if (!result || !['model', 'upscaled', 'family'].includes(result.kind)) {
    return 'returned no valid result (expected kind model, upscaled or family)';
  }
  if (result.kind !== 'family') return result.model;
  if (result.members.length === 0) return 'returned an empty family';
  return result.members[0].model();
}

/** Every weight of a model, copied out, so two runs can be compared after both are disposed. */
function snapshot(model: Module): Map<string, Float32Array> {
  return new Map([...model.stateDict()].map(([key, t]) => [key, Float32Array.from(t.dataSync())]));
}

function firstDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string | undefined {
  for (const [key, values] of a) {
    const other = b.get(key);
    if (!other || other.length !== values.length) return key;
    if (values.some((v, i) => !Object.is(v, other[i]))) return key;
  }
  return [...b.keys()].find((key) => !a.has(key));
}

/**
 * Runs one method on the toy pools twice under seed 0 (a well-formed result, accuracy in [0, 1],
 * no tensor left alive, the same weights both times) and once on a pool without fine-tuned
 * models (it may succeed, but an error must be a MergebenchError, the kind a user can act on).
 */
async function methodFailures(component: Component<Method>, options: ConformanceOptions): Promise<string[]> {
  const methodName = component.info.name;
  const where = `method '${methodName}'`;
  const toy = await ToyModelPool.create();
  const taskpool = new ToyTaskPool(toyWorld());
  const run = async (modelpool: ModelPool) => {
    const container = createRunContainer();
    provide(container, TOKENS.logger, silentLogger);
    taskpool.registerServices(container);
    const params = validateParams('method', options.methodParams?.[methodName] ?? {}, component.info.params);
    const method = await component.create({ params, container, baseDir: process.cwd() });
    const runDir = options.runDir ?? mkdtempSync(path.join(tmpdir(), 'mergebench-conformance-'));
    return method.run(modelpool, { container, logger: silentLogger, runDir, seed: 0 });
  };

  const weights: Map<string, Float32Array>[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = tf.memory().numTensors;
    const model = await resultModel(await run(toy));
    if (typeof model === 'string') return [`${where} ${model}`];
    const evaluation = await taskpool.evaluate(model.eval());
    if (!(evaluation.average.accuracy >= 0 && evaluation.average.accuracy <= 1)) {
      return [`${where}: the merged model's accuracy is not a number in [0, 1]`];
    }
    weights.push(snapshot(model));
    model.dispose();
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) return [`${where} leaves ${leaked} tensors alive after its result is disposed`];
  }
  const failures: string[] = [];
  const differs = firstDifference(weights[0], weights[1]);
  if (differs !== undefined) {
    failures.push(`${where} is not deterministic under a seed: two runs with seed 0 differ at '${differs}'`);
  }

  try {
    const result = await run(emptyPool(toy));
    const model = await resultModel(result);
    if (typeof model !== 'string') model.dispose();
  } catch (e) {
    if (!(e instanceof MergebenchError)) {
      const message = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
      failures.push(
        `${where} fails on a pool without fine-tuned models with ${message}; errors a user can cause must be a MergebenchError naming what was expected`,
      );
    }
  }
  return failures;
}

/**
 * Every conformance failure of a plugin, one line each (empty when it conforms): it registers
 * cleanly next to the built-ins, its components declare themselves completely, its presets
 * validate, and each method runs on the toy pools, returns a well-formed result, leaks no
 * tensors, is deterministic under a seed and reports user errors as MergebenchError.
 */
export async function pluginConformanceFailures(
  plugin: MergebenchPlugin,
  options: ConformanceOptions = {},
): Promise<string[]> {
  const name = plugin?.name;
  if (typeof name !== 'string' || typeof plugin.register !== 'function') {
    return ['plugin: expected an object with a string name and a register function'];
  }
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  const presetDirs: string[] = [];
  const registrar = registry.registrarFor(name);
  try {
    plugin.register({
      ...registrar,
      presets: (dir) => {
        registrar.presets(dir);
        presetDirs.push(dir);
      },
    });
  } catch (e) {
    return [`registering fails: ${(e as Error).message.split('\n')[0]}`];
  }
  const mine = COMPONENT_KINDS.flatMap((k) => registry.list(k).filter((c) => c.source === name));
  if (mine.length === 0) return ['registers no component'];
  const failures = mine.flatMap(({ component }) => declarationFailures(component.info));

  for (const dir of presetDirs) {
    if (!path.isAbsolute(dir) || !existsSync(dir)) {
      failures.push(`presets folder ${dir} is not an existing absolute path`);
      continue;
    }
    for (const kind of COMPONENT_KINDS) {
      const kindDir = path.join(dir, kind);
      if (!existsSync(kindDir)) continue;
      for (const file of readdirSync(kindDir).filter((f) => /\.ya?ml$/.test(f))) {
        try {
          const preset = registry.findPreset(kind, file.replace(/\.ya?ml$/, ''));
          const { name: target, ...values } = (preset?.values ?? {}) as Record<string, unknown>;
          const component = registry.get(kind, String(target ?? file.replace(/\.ya?ml$/, '')));
          if (!component)
            failures.push(`preset ${path.join(kindDir, file)} names unknown ${kind} '${target}'`);
          else validateParams(kind, values, component.component.info.params);
        } catch (e) {
          failures.push(`preset ${path.join(kindDir, file)}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
  }

  for (const { component } of registry.list('method').filter((c) => c.source === name)) {
    if (options.skipRun?.includes(component.info.name)) continue;
    try {
      failures.push(...(await methodFailures(component, options)));
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
      failures.push(`method '${component.info.name}' fails on the toy pools: ${message}`);
    }
  }
  return failures;
}

/** The conformance checks as a test assertion: throws one line per failure. */
export async function checkPluginConformance(
  plugin: MergebenchPlugin,
  options: ConformanceOptions = {},
): Promise<void> {
  const failures = await pluginConformanceFailures(plugin, options);
  const name = typeof plugin?.name === 'string' ? plugin.name : '(unnamed)';
  if (failures.length > 0) {
    throw new ConformanceError(failures.map((f) => `plugin ${name}: ${f}`).join('\n'));
  }
}
