import type * as tf from '@tensorflow/tfjs';
import { check, listNames } from '../errors.js';
import type { Module } from './module.js';

/**
 * Runs `fn` with some of `model`'s parameters replaced by the given tensors (by full dotted
 * name), like torch.func.functional_call. Gradients flow into those tensors, which is how
 * AdaMerging learns merge coefficients: the weights become a function of the coefficients
 * without ever being written into the model.
 */
export function functionalCall<T>(model: Module, params: ReadonlyMap<string, tf.Tensor>, fn: () => T): T {
  const modules = model.namedModules();
  const byModule = new Map<Module, Map<string, tf.Tensor>>();
  for (const [name, tensor] of params) {
    const dot = name.lastIndexOf('.');
    const owner = modules.get(dot < 0 ? '' : name.slice(0, dot));
    check(owner, () => `functionalCall: no module owns '${name}' (modules: ${listNames(modules.keys())})`);
    const local = name.slice(dot + 1);
    const current = owner.param(local);
    check(
      current.shape.length === tensor.shape.length && current.shape.every((d, i) => d === tensor.shape[i]),
      () => `functionalCall: '${name}' expects shape [${current.shape}], got [${tensor.shape}]`,
    );
    if (!byModule.has(owner)) byModule.set(owner, new Map());
    byModule.get(owner)!.set(local, tensor);
  }
  for (const [owner, map] of byModule) owner.setSubstitutes(map);
  try {
    return fn();
  } finally {
    for (const owner of byModule.keys()) owner.setSubstitutes(null);
  }
}
