// @mergebench/core/testing: a tiny in-memory world for plugin tests, and the conformance checks.

export { DEFAULT_TOY_MODEL, ToyEncoder, type ToyModelConfig, toyInitialWeights } from '../toy/toy-model.js';
export { ToyModelPool, type ToySettings, ToyTaskPool, toyWorld, toyZoo } from '../toy/toy-pools.js';
export { DEFAULT_TOY_WORLD, ToyWorld, type ToyWorldConfig } from '../toy/toy-world.js';
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
