import { createRng, deriveSeed, type Rng } from '@mergebench/core';
import type { ImageSource } from '../image-source.js';
import { Canvas } from './canvas.js';

/** A procedurally generated classification task. */
export interface SyntheticTask {
  readonly name: string;
  readonly description: string;
  readonly classNames: readonly string[];
  readonly channels: 1 | 3;
  /** Draws one example of class `label`, taking every random choice from `rng`. */
  render(label: number, rng: Rng, canvas: Canvas): void;
}

/**
 * `count` examples of a synthetic task: example i has label i mod classes (so every class is
 * equally frequent, within one) and is drawn from its own seed derived from `seed` and i, so
 * any example can be drawn alone, at any size, and always looks the same.
 */
export function syntheticSource(task: SyntheticTask, count: number, seed: number): ImageSource {
  const classes = task.classNames.length;
  return {
    labels: Int32Array.from({ length: count }, (_, i) => i % classes),
    channels: task.channels,
    draw(index, size, out, offset) {
      const rng = createRng(deriveSeed(seed, `example/${index}`));
      task.render(index % classes, rng, new Canvas(size, task.channels, out, offset));
    },
  };
}
