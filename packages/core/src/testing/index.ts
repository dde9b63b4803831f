// @mergebench/core/testing: a tiny in-memory world for plugin tests, and the conformance checks.

export { type ConformanceOptions, checkPluginConformance, pluginConformanceFailures } from './conformance.js';
export {
  type FixtureCase,
  FixturePool,
  FixtureWorld,
  readCase,
  readSafetensors,
  relativeToScale,
} from './fixture-case.js';
export {
  createMethod,
  type MethodContextOptions,
  type MethodOutcome,
  runMethodComponent,
  toyMethodContext,
} from './method-harness.js';
export { DEFAULT_TOY_MODEL, ToyEncoder, type ToyModelConfig, toyInitialWeights } from './toy-model.js';
export { ToyModelPool, type ToySettings, ToyTaskPool, toyWorld, toyZoo } from './toy-pools.js';
export { DEFAULT_TOY_WORLD, ToyWorld, type ToyWorldConfig } from './toy-world.js';
