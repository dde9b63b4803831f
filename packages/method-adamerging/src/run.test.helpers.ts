// Running the AdaMerging components on the toy pools in tests (the `.test.` in the name keeps
// it out of the published files).
import type { Component, Method, MethodContext, ModelPool, Module } from '@mergebench/core';
import {
  createMethod,
  type MethodContextOptions,
  type MethodOutcome,
  runMethodComponent,
  toyMethodContext,
  toyWorld,
} from '@mergebench/core/testing';

export { createMethod };

export const world = toyWorld();

/** A run context providing this file's toy world (data or heads null: not provided). */
export function context(options: MethodContextOptions = {}): MethodContext {
  return toyMethodContext({ data: world, heads: world, ...options });
}

/** Runs a component on the toy model pool (or `pool`) and returns the merged model. */
export function runMethod(
  component: Component<Method>,
  values: Record<string, unknown>,
  ctx: MethodContext = context(),
  pool?: ModelPool,
): Promise<MethodOutcome> {
  return runMethodComponent(component, values, 'model', ctx, pool);
}

/** A model's weights as plain arrays, for exact comparisons. */
export function snapshot(model: Module): Map<string, number[]> {
  return new Map([...model.stateDict()].map(([key, t]) => [key, Array.from(t.dataSync())]));
}
