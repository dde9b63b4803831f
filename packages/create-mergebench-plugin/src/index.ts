// create-mergebench-plugin: writes a standalone mergebench plugin project.
export {
  componentNameOf,
  ScaffoldError,
  type ScaffoldOptions,
  scaffold,
  TEMPLATES,
  type Template,
} from './scaffold.js';
export type { PluginSpec } from './templates/project.js';
export { templateVersions, type Versions } from './versions.js';
