import { check, type Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { BASE_MODULE, ParetoWeightEnsemblingModule } from './pareto-module.js';

/** The Pareto weight-ensembling blocks of a model, by path. */
export function paretoModules(model: Module): Map<string, ParetoWeightEnsemblingModule> {
  return new Map(
    [...model.namedModules()].filter(
      (entry): entry is [string, ParetoWeightEnsemblingModule] =>
        entry[1] instanceof ParetoWeightEnsemblingModule,
    ),
  );
}

/** Sets the same preference vector on every Pareto block of the model (checked by the caller). */
export function setPreference(model: Module, ray: readonly number[]): void {
  const blocks = paretoModules(model);
  check(blocks.size > 0, 'setPreference: the model has no Pareto weight-ensembling blocks');
  for (const block of blocks.values()) block.setPreference(ray);
}

/**
 * The state dict of the plain model an upscaled model stands for at the preference vector set on
 * it: every Pareto block at path p becomes its base block with θ₀ + Σᵢ rᵢτᵢ under p's own names
 * (routers and task vectors dropped), everything else is copied. The tensors are new; the caller
 * disposes them.
 */
export function collapsedStateDict(model: Module): Map<string, tf.Tensor> {
  const blocks = paretoModules(model);
  const out = new Map<string, tf.Tensor>();
  const mergedBy = new Map([...blocks].map(([path, block]) => [path, block.mergedParameters()]));
  try {
    for (const [key, value] of model.stateDict()) {
      const path = [...blocks.keys()].find((p) => p !== '' && key.startsWith(`${p}.`));
      if (path === undefined) {
        out.set(key, tf.clone(value));
        continue;
      }
      const rest = key.slice(path.length + 1);
      if (!rest.startsWith(`${BASE_MODULE}.`)) continue;
      const name = rest.slice(BASE_MODULE.length + 1);
      const merged = mergedBy.get(path)!.get(name);
      out.set(`${path}.${name}`, merged === undefined ? tf.clone(value) : tf.clone(merged));
    }
    return out;
  } catch (error) {
    tf.dispose([...out.values()]);
    throw error;
  } finally {
    for (const merged of mergedBy.values()) tf.dispose([...merged.values()]);
  }
}

/**
 * Writes the plain model for the preference vector set on `upscaled` into `target`, a model of
 * the architecture the upscaled one was made from (e.g. a freshly loaded pretrained model).
 */
export function collapseInto(upscaled: Module, target: Module): Module {
  const state = collapsedStateDict(upscaled);
  try {
    target.loadStateDict(state);
  } finally {
    tf.dispose([...state.values()]);
  }
  return target;
}
