export { type ComposeConfigOptions, composeConfig } from './compose.js';
export {
  COSMETIC_CONFIG_KEYS,
  configDifferences,
  configHash,
  determiningConfig,
  stableJson,
} from './config-hash.js';
export {
  CONFIG_SEARCH_PLACES,
  type LoadConfigFileOptions,
  type LoadedConfigFile,
  loadConfigFile,
} from './load.js';
export type { Mapping } from './mapping.js';
export { applyOverrides, type Override, parseOverride, parseOverrides } from './overrides.js';
export { type PresetResolver, type PresetSource, resolvePresets } from './presets.js';
export {
  type ComponentConfig,
  RUN_CONFIG_DEFAULTS,
  RUN_CONFIG_KEYS,
  RUN_SETTING_SPECS,
  type RunConfig,
  type RunSettings,
} from './run-config.js';
export { formatConfig } from './show.js';
export { validateParams, validateRunConfig } from './validate.js';
