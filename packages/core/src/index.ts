// The public face of @mergebench/core: contracts, nn, tensors, checkpoints, DI, plugins,
// configuration, the run program and shared training machinery.
import 'reflect-metadata';

export * from './backend/select.js';
export { builtinPlugin } from './builtin/plugin.js';
export * from './config/index.js';
export * from './contracts/index.js';
export * from './data/training-sample.js';
export * from './di/index.js';
export { check, listNames, MergebenchError } from './errors.js';
export * from './eval/classification.js';
export * from './hub/index.js';
export * from './io/index.js';
export * from './merging/index.js';
export * from './nn/index.js';
export * from './plugins/index.js';
export { memoryLogger, silentLogger, stderrLogger } from './program/loggers.js';
export { PeakMemory } from './program/peak-memory.js';
export { type ResolvedRun, type ResolveOptions, resolveRun } from './program/resolve-config.js';
export { type RunOptions, type RunOutcome, runProgram } from './program/run.js';
export { formatRunSummary, formatTable } from './program/summary-table.js';
export * from './random.js';
export * from './tensors/index.js';
export * from './train/index.js';
export { version } from './version.js';
