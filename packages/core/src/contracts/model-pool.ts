import type { Module } from '../nn/module.js';
import type { TensorSource } from '../tensors/types.js';

/** The name under which a model pool holds the pretrained model that task vectors start from. */
export const PRETRAINED = '_pretrained_';

/**
 * A family of models of one architecture: the fine-tuned models to merge and, optionally, the
 * pretrained model they were fine-tuned from. Models load lazily and each call returns a new
 * instance the caller owns (and disposes).
 */
export interface ModelPool {
  /** Names of the fine-tuned models, in a stable order (the pretrained model is not listed). */
  readonly modelNames: readonly string[];
  readonly hasPretrained: boolean;
  /**
   * Width of the features its models output (the last axis of a forward pass), where the pool
   * knows it without building a model: the task pool's heads are checked against it before any
   * work.
   */
  readonly featureDim?: number;
  /** Builds a model (architecture + weights). `name` may be PRETRAINED. */
  loadModel(name: string): Promise<Module>;
  /**
   * Opens a model's weights for streaming, one tensor at a time, without building the model, so
   * that whole-model arithmetic holds only what it needs.
   */
  openWeights(name: string): Promise<TensorSource>;
  /** Saves a model of this pool's architecture to a folder the pool (and its ecosystem) can load. */
  saveModel(model: Module, dir: string, options?: { overwrite?: boolean }): Promise<void>;
  /** Releases anything the pool holds open. */
  dispose?(): void | Promise<void>;
}
