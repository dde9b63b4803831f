export * from './load.js';
export { pluginPackageFailures } from './package-checks.js';
export * from './plugin-paths.js';
export * from './registry.js';
export { discoverPluginPackages, type ResolvedPackage, resolvePackage } from './resolve-package.js';
export { checkSingleTfjs } from './tfjs-copies.js';
