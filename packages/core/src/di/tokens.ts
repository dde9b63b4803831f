import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { BackendChoice } from '../backend/select.js';
import type { RunConfig } from '../config/index.js';
import type { Logger } from '../contracts/logger.js';
import type { Method } from '../contracts/method.js';
import type { ModelPool } from '../contracts/model-pool.js';
import type { TaskData, TaskHeads, TaskPool } from '../contracts/task-pool.js';
import { MergebenchError } from '../errors.js';
import type { ComponentRegistry } from '../plugins/registry.js';

/**
 * A typed injection token. Services are registered and resolved only through explicit tokens:
 * injection by constructor type needs decorator metadata, which not every TypeScript runner emits.
 */
export interface Token<T> {
  readonly symbol: symbol;
  readonly description: string;
  /** Never set; carries T for the type checker. */
  readonly __type?: T;
}

export function token<T>(description: string): Token<T> {
  return { symbol: Symbol.for(`mergebench.${description}`), description };
}

export const TOKENS = {
  config: token<RunConfig>('config'),
  logger: token<Logger>('logger'),
  backend: token<BackendChoice>('backend'),
  registry: token<ComponentRegistry>('registry'),
  modelPool: token<ModelPool>('modelPool'),
  taskPool: token<TaskPool>('taskPool'),
  method: token<Method>('method'),
  /** Per-task data (train/validation/test splits), provided by the task pool. */
  taskData: token<TaskData>('taskData'),
  /** Per-task frozen classification heads, provided by the task pool. */
  taskHeads: token<TaskHeads>('taskHeads'),
} as const;

export function provide<T>(container: DependencyContainer, tok: Token<T>, value: T): void {
  container.register(tok.symbol as InjectionToken<T>, { useValue: value });
}

export function hasService(container: DependencyContainer, tok: Token<unknown>): boolean {
  return container.isRegistered(tok.symbol, true);
}

/**
 * Resolves a service; a missing one is the user's configuration problem (a method that needs
 * heads with a task pool that has none), so the error says who needed it.
 */
export function resolveService<T>(container: DependencyContainer, tok: Token<T>, neededBy?: string): T {
  if (!hasService(container, tok)) {
    const who = neededBy ? `${neededBy} needs` : 'needed:';
    throw new MergebenchError(
      `${who} ${tok.description}, which nothing in this run provides (is a task pool that provides it configured?)`,
    );
  }
  return container.resolve<T>(tok.symbol as InjectionToken<T>);
}
