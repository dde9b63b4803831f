import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { builtinPlugin } from '../builtin/plugin.js';
import { validateParams } from '../config/validate.js';
import { COMPONENT_KINDS, type ComponentInfo } from '../contracts/component.js';
import type { MergebenchPlugin } from '../contracts/plugin.js';
import { createRunContainer } from '../di/container.js';
import { provide, TOKENS } from '../di/tokens.js';
import { MergebenchError } from '../errors.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { silentLogger } from '../program/loggers.js';
import { ToyModelPool, ToyTaskPool, toyWorld } from './toy-pools.js';

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

function fail(plugin: string, message: string): never {
  throw new ConformanceError(`plugin ${plugin}: ${message}`);
}

function checkInfo(plugin: string, info: ComponentInfo): void {
  const where = `${info.kind} '${info.name}'`;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(info.name))
    fail(plugin, `${where}: name must be lower-case kebab/snake case`);
  if (!info.description?.trim()) fail(plugin, `${where}: description is empty`);
  const seen = new Set<string>();
  for (const p of info.params) {
    if (seen.has(p.name)) fail(plugin, `${where}: parameter '${p.name}' is declared twice`);
    seen.add(p.name);
    if (p.name === 'name') fail(plugin, `${where}: 'name' is reserved (it selects the component)`);
    if (!p.description?.trim()) fail(plugin, `${where}: parameter '${p.name}' has no description`);
  }
  if (info.paper && !/^https?:\/\//.test(info.paper.url)) fail(plugin, `${where}: paper url is not a link`);
  // Every declared default must satisfy its own declaration.
  const defaults = Object.fromEntries(
    info.params.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]),
  );
  const required = info.params.filter((p) => p.default === undefined);
  if (required.length === 0) validateParams(info.kind, defaults, info.params);
}

/**
 * The checks every plugin package runs in its own tests: it registers cleanly next to the
 * built-ins, its components declare themselves completely, its presets validate, and each method
 * runs on the toy pools, returns a well-formed result and leaks no tensors.
 */
export async function checkPluginConformance(
  plugin: MergebenchPlugin,
  options: ConformanceOptions = {},
): Promise<void> {
  const name = plugin?.name;
  if (typeof name !== 'string' || typeof plugin.register !== 'function') {
    throw new ConformanceError('plugin: expected an object with a string name and a register function');
  }
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  const builtinCount = COMPONENT_KINDS.reduce((n, k) => n + registry.names(k).length, 0);
  const presetDirs: string[] = [];
  const registrar = registry.registrarFor(name);
  plugin.register({
    ...registrar,
    presets: (dir) => {
      registrar.presets(dir);
      presetDirs.push(dir);
    },
  });
  const mine = COMPONENT_KINDS.flatMap((k) => registry.list(k).filter((c) => c.source === name));
  if (
    COMPONENT_KINDS.reduce((n, k) => n + registry.names(k).length, 0) === builtinCount ||
    mine.length === 0
  ) {
    fail(name, 'registers no component');
  }
  for (const { component } of mine) checkInfo(name, component.info);

  for (const dir of presetDirs) {
    if (!path.isAbsolute(dir) || !existsSync(dir))
      fail(name, `presets folder ${dir} is not an existing absolute path`);
    for (const kind of COMPONENT_KINDS) {
      const kindDir = path.join(dir, kind);
      if (!existsSync(kindDir)) continue;
      for (const file of readdirSync(kindDir).filter((f) => /\.ya?ml$/.test(f))) {
        const preset = registry.findPreset(kind, file.replace(/\.ya?ml$/, ''));
        const { name: target, ...values } = (preset?.values ?? {}) as Record<string, unknown>;
        const component = registry.get(kind, String(target ?? file.replace(/\.ya?ml$/, '')));
        if (!component) fail(name, `preset ${path.join(kindDir, file)} names unknown ${kind} '${target}'`);
        validateParams(kind, values, component.component.info.params);
      }
    }
  }

  for (const { component } of registry.list('method').filter((c) => c.source === name)) {
    const methodName = component.info.name;
    if (options.skipRun?.includes(methodName)) continue;
    const modelpool = await ToyModelPool.create();
    const taskpool = new ToyTaskPool(toyWorld());
    const before = tf.memory().numTensors;
    const container = createRunContainer();
    provide(container, TOKENS.logger, silentLogger);
    taskpool.registerServices(container);
    const params = validateParams('method', options.methodParams?.[methodName] ?? {}, component.info.params);
    const method = await component.create({ params, container, baseDir: process.cwd() });
    const runDir = options.runDir ?? mkdtempSync(path.join(tmpdir(), 'mergebench-conformance-'));
    const result = await method.run(modelpool, { container, logger: silentLogger, runDir, seed: 0 });
    if (!result || !['model', 'upscaled', 'family'].includes(result.kind)) {
      fail(name, `method '${methodName}' returned no valid result (expected kind model, upscaled or family)`);
    }
    if (result.kind === 'family' && result.members.length === 0)
      fail(name, `method '${methodName}' returned an empty family`);
    const model = result.kind === 'family' ? await result.members[0].model() : result.model;
    const evaluation = await taskpool.evaluate(model.eval());
    if (!(evaluation.average.accuracy >= 0 && evaluation.average.accuracy <= 1)) {
      fail(name, `method '${methodName}': the merged model's accuracy is not a number in [0, 1]`);
    }
    model.dispose();
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0)
      fail(name, `method '${methodName}' leaves ${leaked} tensors alive after its result is disposed`);
  }
}
