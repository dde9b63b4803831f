import path from 'node:path';
import { builtinPlugin } from '../builtin/plugin.js';
import {
  composeConfig,
  loadConfigFile,
  parseOverrides,
  type RunConfig,
  validateParams,
  validateRunConfig,
} from '../config/index.js';
import { COMPONENT_KINDS, type ComponentKind } from '../contracts/component.js';
import type { ParamValues } from '../contracts/params.js';
import { MergebenchError } from '../errors.js';
import {
  ComponentRegistry,
  candidatePackages,
  ensureComponent,
  isPluginPath,
  loadInstalledPlugins,
  loadPlugin,
  type PluginLoadOptions,
  type PluginPathPolicy,
  type RegisteredComponent,
  registerPlugin,
} from '../plugins/index.js';

export interface ResolveOptions {
  readonly cwd?: string;
  /** An explicit config file (`--config`); otherwise cosmiconfig searches from cwd. */
  readonly configPath?: string;
  /** Command-line overrides such as `method=ties method.scaling_factor=0.4`. */
  readonly overrides?: readonly string[];
  /** A registry with plugins already registered (tests, embedding); built-ins are added to it. */
  readonly registry?: ComponentRegistry;
  /**
   * Whether plugins may load from paths: `code` (default) only paths in a JavaScript config
   * file, `allowed` with `--allow-plugin-paths`, `never` for `config --show`.
   */
  readonly pluginPaths?: PluginPathPolicy;
  /** Where warnings about the config (a deprecated parameter name) go; default: stderr. */
  readonly warn?: (message: string) => void;
  /**
   * A config given as data instead of a file (a queued job's resolved config): no file is looked
   * for; relative paths in it resolve against `baseDir`; `where` names it in messages. It is data
   * like a YAML file, so a plugin path in it loads only under `pluginPaths: 'allowed'`.
   */
  readonly config?: {
    readonly values: Readonly<Record<string, unknown>>;
    readonly baseDir: string;
    readonly where: string;
  };
}

export interface ResolvedComponent<K extends ComponentKind> {
  readonly registered: RegisteredComponent<K>;
  readonly params: ParamValues;
}

export interface ResolvedRun {
  readonly config: RunConfig;
  /** Folder relative paths in the config resolve against: the config file's, else cwd. */
  readonly baseDir: string;
  readonly cwd: string;
  readonly registry: ComponentRegistry;
  readonly method: ResolvedComponent<'method'>;
  readonly modelpool: ResolvedComponent<'modelpool'>;
  readonly taskpool: ResolvedComponent<'taskpool'>;
}

/** The component name a group value selects: a string preset/name, or `{ name }`. */
function selectedName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
    return (value as { name: string }).name;
  }
  return undefined;
}

/**
 * Loads the packages a preset or component name may come from, before presets are expanded
 * (preset lookup is synchronous, package loading is not). A name no candidate package provides
 * triggers loading every installed plugin, since presets may carry names of their own.
 */
async function preloadPlugins(
  registry: ComponentRegistry,
  names: { kind: ComponentKind; name: string }[],
  cwd: string,
  loadOptions: (name: string) => PluginLoadOptions,
): Promise<void> {
  let loadedAll = false;
  for (const { kind, name } of names) {
    if (registry.get(kind, name) || registry.findPreset(kind, name) || /\.ya?ml$/.test(name)) continue;
    for (const spec of candidatePackages(kind, name)) {
      if (await loadPlugin(registry, spec, cwd, loadOptions(name))) break;
    }
    if (!registry.get(kind, name) && !registry.findPreset(kind, name) && !loadedAll) {
      // Failures surface later only if the name stays unknown (ensureComponent lists them).
      await loadInstalledPlugins(registry, cwd);
      loadedAll = true;
    }
  }
}

/** config file + presets + overrides → validated config, with every component found. */
export async function resolveRun(options: ResolveOptions = {}): Promise<ResolvedRun> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const registry = options.registry ?? new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');

  const given = options.config;
  const loaded = given ? null : await loadConfigFile({ cwd, configPath: options.configPath });
  const fileConfig = (given ? structuredClone(given.values) : (loaded?.config ?? {})) as Record<
    string,
    unknown
  >;
  const baseDir = given ? path.resolve(cwd, given.baseDir) : loaded ? path.dirname(loaded.filepath) : cwd;
  const overrides = parseOverrides([...(options.overrides ?? [])]);
  // A JavaScript config file is code the user runs anyway; paths it names may load (plugin-paths.ts).
  const pluginPaths = options.pluginPaths ?? 'code';
  const fileOrigin = given
    ? { where: given.where, fromCode: false }
    : loaded && {
        where: `config file ${loaded.filepath}`,
        fromCode: /\.(c|m)?[jt]s$/.test(loaded.filepath),
      };
  const fromFile = new Set<string>();
  const fileOptions: PluginLoadOptions = { pluginPaths, origin: fileOrigin ?? undefined };
  const cliOptions: PluginLoadOptions = { pluginPaths };
  const optionsFor = (spec: string) => (fromFile.has(spec) ? fileOptions : cliOptions);

  const fileSpecs = (Array.isArray(fileConfig.plugins) ? fileConfig.plugins : []) as unknown[];
  for (const spec of fileSpecs) if (typeof spec === 'string') fromFile.add(spec);
  for (const kind of COMPONENT_KINDS) {
    const name = selectedName(fileConfig[kind]);
    if (name && isPluginPath(name)) fromFile.add(name);
  }
  const pluginSpecs: { spec: unknown; options: PluginLoadOptions }[] = [
    ...fileSpecs.map((spec) => ({ spec, options: fileOptions })),
    ...overrides
      .filter((o) => o.path.length === 1 && o.path[0] === 'plugins')
      .flatMap((o) => o.value as unknown[])
      .map((spec) => ({ spec, options: cliOptions })),
  ];
  for (const { spec, options: loadOptions } of pluginSpecs) {
    if (typeof spec !== 'string')
      throw new MergebenchError(`plugins: expected package names, got ${JSON.stringify(spec)}`);
    const fromDir = spec.startsWith('.') ? baseDir : cwd;
    if (!(await loadPlugin(registry, spec, fromDir, loadOptions))) {
      throw new MergebenchError(`plugins: package '${spec}' is not installed (looked from ${cwd})`);
    }
  }

  const wanted: { kind: ComponentKind; name: string }[] = [];
  for (const kind of COMPONENT_KINDS) {
    const fromFile = selectedName(fileConfig[kind]);
    if (fromFile) wanted.push({ kind, name: fromFile });
    for (const o of overrides) {
      const name = o.path.length === 1 && o.path[0] === kind ? selectedName(o.value) : undefined;
      if (name) wanted.push({ kind, name });
    }
  }
  await preloadPlugins(registry, wanted, cwd, optionsFor);

  const config = composeConfig({
    fileConfig,
    fileDir: baseDir,
    cwd,
    overrides,
    resolver: (group, name) => registry.findPreset(group, name),
  });
  validateRunConfig(config);

  const resolveComponent = async <K extends ComponentKind>(kind: K): Promise<ResolvedComponent<K>> => {
    const { name, ...values } = config[kind] as { name: string } & Record<string, unknown>;
    const registered = await ensureComponent(registry, kind, name, cwd, optionsFor(name));
    const params = validateParams(kind, values, registered.component.info.params, options.warn);
    return { registered, params };
  };
  return {
    config,
    baseDir,
    cwd,
    registry,
    method: await resolveComponent('method'),
    modelpool: await resolveComponent('modelpool'),
    taskpool: await resolveComponent('taskpool'),
  };
}
