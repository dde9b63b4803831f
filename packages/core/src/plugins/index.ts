export * from './load.js';
export * from './registry.js';
export { discoverPluginPackages, resolvePackage } from './resolve-package.js';
