import { statSync } from 'node:fs';
import path from 'node:path';
import { type CosmiconfigResult, cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import { check, listNames, MergebenchError } from '../errors.js';
import { errorLine } from './error-line.js';
import { FOREIGN_RUN_KEYS } from './foreign-run-keys.js';
import { formatValue } from './format-value.js';
import { isMapping, type Mapping } from './mapping.js';
import { isDeclaredName } from './param-names.js';
import { RUN_CONFIG_KEYS, RUN_SETTING_SPECS } from './run-config.js';
import { parseYaml } from './yaml-file.js';

const MODULE_NAME = 'mergebench';
const LABEL = 'Config file';

/** Where a config is looked for in each folder, first match wins. */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'package.json',
  `.${MODULE_NAME}rc`,
  ...['json', 'yaml', 'yml', 'js', 'mjs', 'cjs'].map((ext) => `.${MODULE_NAME}rc.${ext}`),
  ...['js', 'mjs', 'cjs', 'ts', 'json', 'yaml', 'yml'].map((ext) => `${MODULE_NAME}.config.${ext}`),
];

// JSON and YAML go through our own parsers for one-line errors and the same YAML dialect as
// presets and command-line values; modules use cosmiconfig's loaders (TypeScript included).
const parseJson: Loader = (file, content) => {
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new MergebenchError(`${LABEL} ${file}: invalid JSON: ${errorLine(error)}`);
  }
};
const parseYamlConfig: Loader = (file, content) => parseYaml(content, file, LABEL);

const LOADERS: Record<string, Loader> = {
  '.js': defaultLoaders['.js'],
  '.mjs': defaultLoaders['.mjs'],
  '.cjs': defaultLoaders['.cjs'],
  '.ts': defaultLoaders['.ts'],
  '.json': parseJson,
  '.yaml': parseYamlConfig,
  '.yml': parseYamlConfig,
  noExt: parseYamlConfig,
};
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts'];

export interface LoadConfigFileOptions {
  /** Where the search starts; it goes up to the nearest folder with a package.json. */
  readonly cwd: string;
  /** An explicit `--config` file (relative to cwd); no search then. */
  readonly configPath?: string;
}

export interface LoadedConfigFile {
  readonly config: Mapping;
  readonly filepath: string;
}

/** Finds and reads the run config file; null when there is none (and none was asked for). */
export async function loadConfigFile(options: LoadConfigFileOptions): Promise<LoadedConfigFile | null> {
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    loaders: LOADERS,
    searchStrategy: 'project',
    cache: false,
  });
  if (options.configPath === undefined) {
    const found = await readWith(() => explorer.search(options.cwd), options.cwd);
    return found === null ? null : checkConfig(found.filepath, found.config);
  }

  const file = path.resolve(options.cwd, options.configPath);
  check(statSync(file, { throwIfNoEntry: false })?.isFile(), `${LABEL} not found: ${file}`);
  const extension = path.extname(file);
  check(
    Object.hasOwn(LOADERS, extension || 'noExt'),
    () =>
      `${LABEL} ${file}: unsupported file type ${JSON.stringify(extension)}; expected ${listNames(Object.keys(LOADERS).filter((key) => key !== 'noExt'))}`,
  );
  const loaded = await readWith(() => explorer.load(file), file);
  if (loaded === null) {
    // cosmiconfig answers null for a package.json without our key, and for a file holding nothing
    // but comments or `null`, which is as good as empty.
    check(path.basename(file) !== 'package.json', `${LABEL} ${file}: no "${MODULE_NAME}" key`);
    return { filepath: file, config: {} };
  }
  if (loaded.isEmpty) {
    check(
      !MODULE_EXTENSIONS.includes(extension),
      `${LABEL} ${file}: expected a default export with the config`,
    );
    return { filepath: file, config: {} };
  }
  return checkConfig(file, loaded.config);
}

async function readWith(read: () => Promise<CosmiconfigResult>, where: string): Promise<CosmiconfigResult> {
  try {
    return await read();
  } catch (error) {
    // Ours already name the file; rethrown plain, without the fields cosmiconfig adds.
    if (error instanceof MergebenchError) throw new MergebenchError(error.message);
    // cosmiconfig tags errors with the file it was reading.
    const file = (error as { filepath?: string }).filepath ?? where;
    throw new MergebenchError(`${LABEL} ${file}: could not be loaded: ${errorLine(error)}`);
  }
}

function checkConfig(filepath: string, config: unknown): LoadedConfigFile {
  check(
    isMapping(config),
    () =>
      `${LABEL} ${filepath}: expected a mapping of ${listNames(RUN_CONFIG_KEYS, RUN_CONFIG_KEYS.length)}, got ${formatValue(config)}`,
  );
  // Aliases and other frameworks' keys pass here; validation renames them or says why not.
  const unknown = Object.keys(config).filter(
    (key) => !RUN_CONFIG_KEYS.includes(key) && !isDeclaredName(key, RUN_SETTING_SPECS, FOREIGN_RUN_KEYS),
  );
  check(
    unknown.length === 0,
    () =>
      `${LABEL} ${filepath}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')}; known keys: ${listNames(RUN_CONFIG_KEYS, RUN_CONFIG_KEYS.length)}`,
  );
  return { filepath, config };
}
