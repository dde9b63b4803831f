// Running the AdaMerging components on the toy pools in tests (the `.test.` in the name keeps
// it out of the published files).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Component,
  createRunContainer,
  type Logger,
  type Method,
  type MethodContext,
  type ModelPool,
  type Module,
  memoryLogger,
  provide,
  type TaskData,
  type TaskHeads,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { ToyModelPool, toyWorld } from '@mergebench/core/testing';

export const world = toyWorld();

export interface ContextOptions {
  readonly runDir?: string;
  /** Task data to provide (default: the toy world); null provides none. */
  readonly data?: TaskData | null;
  /** Heads to provide (default: the toy world); null provides none. */
  readonly heads?: TaskHeads | null;
  readonly logger?: Logger;
}

export function newRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'adamerging-'));
}

export function context(options: ContextOptions = {}): MethodContext {
  const container = createRunContainer();
  if (options.data !== null) provide(container, TOKENS.taskData, options.data ?? world);
  if (options.heads !== null) provide(container, TOKENS.taskHeads, options.heads ?? world);
  return {
    container,
    logger: options.logger ?? memoryLogger(),
    runDir: options.runDir ?? newRunDir(),
    seed: 5,
  };
}

export async function createMethod(
  component: Component<Method>,
  values: Record<string, unknown>,
): Promise<Method> {
  const params = validateParams('method', { progress: false, ...values }, component.info.params);
  return component.create({ params, container: createRunContainer(), baseDir: process.cwd() });
}

export interface Merged {
  readonly model: Module;
  readonly artifacts: Record<string, any>;
  readonly runDir: string;
}

/** Runs a component on the toy model pool (or `pool`) and returns the merged model. */
export async function runMethod(
  component: Component<Method>,
  values: Record<string, unknown>,
  ctx: MethodContext = context(),
  pool?: ModelPool,
): Promise<Merged> {
  const method = await createMethod(component, values);
  const result = await method.run(pool ?? (await ToyModelPool.create()), ctx);
  if (result.kind !== 'model') throw new Error(`expected a model, got ${result.kind}`);
  return {
    model: result.model,
    artifacts: (result.artifacts ?? {}) as Record<string, any>,
    runDir: ctx.runDir,
  };
}

/** A model's weights as plain arrays, for exact comparisons. */
export function snapshot(model: Module): Map<string, number[]> {
  return new Map([...model.stateDict()].map(([key, t]) => [key, Array.from(t.dataSync())]));
}
