import { Linear, type Module } from '@mergebench/core';
import type * as tf from '@tensorflow/tfjs';

/** Called with a Linear layer's input (alive only during the call) and the layer's module name. */
export type LinearInputObserver = (name: string, input: tf.Tensor) => void;

/**
 * Runs `work` while every Linear layer of `model` (found by `instanceof` over namedModules())
 * shows its input to `observe` before computing, like a PyTorch forward pre-hook. The model's
 * classes are not touched: each layer instance gets its own `forward` that wraps the original,
 * and loses it again when `work` settles, whatever happens.
 */
export async function withLinearInputs<T>(
  model: Module,
  observe: LinearInputObserver,
  work: () => Promise<T>,
): Promise<T> {
  const restore: (() => void)[] = [];
  try {
    for (const [name, module] of model.namedModules()) {
      if (!(module instanceof Linear)) continue;
      const layer = module as Linear & { forward: Linear['forward'] };
      const hadOwn = Object.hasOwn(layer, 'forward');
      const original = layer.forward;
      layer.forward = (x: tf.Tensor) => {
        observe(name, x);
        return original.call(layer, x);
      };
      restore.push(() => {
        if (hadOwn) layer.forward = original;
        else delete (layer as { forward?: unknown }).forward;
      });
    }
    return await work();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
