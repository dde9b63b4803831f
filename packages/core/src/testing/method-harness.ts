// Running one method component on the toy pools, as a plugin's own tests do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateParams } from '../config/validate.js';
import type { Component } from '../contracts/component.js';
import type { Logger } from '../contracts/logger.js';
import type { Method, MethodContext } from '../contracts/method.js';
import type { ModelPool } from '../contracts/model-pool.js';
import type { RunArtifacts } from '../contracts/result.js';
import type { TaskData, TaskHeads } from '../contracts/task-pool.js';
import { createRunContainer } from '../di/container.js';
import { provide, TOKENS } from '../di/tokens.js';
import type { Module } from '../nn/module.js';
import { memoryLogger } from '../program/loggers.js';
import { ToyModelPool, toyWorld } from '../toy/toy-pools.js';

export interface MethodContextOptions {
  readonly runDir?: string;
  /** Task data to provide (default: the toy world); null provides none. */
  readonly data?: TaskData | null;
  /** Heads to provide (default: the toy world); null provides none. */
  readonly heads?: TaskHeads | null;
  /** Default: a memoryLogger, whose lines a test can read. */
  readonly logger?: Logger;
  readonly seed?: number;
}

/** A method's run context with the toy world's data and heads, in a fresh temporary run folder. */
export function toyMethodContext(options: MethodContextOptions = {}): MethodContext {
  const container = createRunContainer();
  const world = options.data === undefined || options.heads === undefined ? toyWorld() : undefined;
  if (options.data !== null) provide(container, TOKENS.taskData, options.data ?? world!);
  if (options.heads !== null) provide(container, TOKENS.taskHeads, options.heads ?? world!);
  return {
    container,
    logger: options.logger ?? memoryLogger(),
    runDir: options.runDir ?? mkdtempSync(path.join(tmpdir(), 'mergebench-method-')),
    seed: options.seed ?? 5,
  };
}

/** The method a component makes from `values` (validated as a config would be; progress off). */
export function createMethod(component: Component<Method>, values: Record<string, unknown>): Promise<Method> {
  const known = component.info.params.some((p) => p.name === 'progress');
  const params = validateParams(
    'method',
    { ...(known ? { progress: false } : {}), ...values },
    component.info.params,
  );
  return Promise.resolve(
    component.create({ params, container: createRunContainer(), baseDir: process.cwd() }),
  );
}

export interface MethodOutcome {
  readonly model: Module;
  readonly artifacts: Record<string, any>;
  readonly runDir: string;
}

/**
 * Runs a component on the toy model pool (or `pool`) and returns its model, checking that the
 * result is of the `kind` expected (`model` or `upscaled`).
 */
export async function runMethodComponent(
  component: Component<Method>,
  values: Record<string, unknown>,
  kind: 'model' | 'upscaled',
  ctx: MethodContext = toyMethodContext(),
  pool?: ModelPool,
): Promise<MethodOutcome> {
  const method = await createMethod(component, values);
  const result = await method.run(pool ?? (await ToyModelPool.create()), ctx);
  if (result.kind !== kind) throw new Error(`expected a result of kind ${kind}, got ${result.kind}`);
  return {
    model: result.model,
    artifacts: (result.artifacts ?? {}) as RunArtifacts as Record<string, any>,
    runDir: ctx.runDir,
  };
}
