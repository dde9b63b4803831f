import { createRng, permutation } from '@mergebench/core';

/** Blocks read together and shuffled as one pool when a shuffled order is asked for. */
export const SHUFFLE_WINDOW_BLOCKS = 4;

/** A group of blocks read together, and the order in which their examples are served. */
export interface Window {
  readonly blocks: readonly number[];
  /** Indices into the concatenated examples of `blocks`, or null for file order. */
  readonly order: readonly number[] | null;
}

/**
 * The reading plan of a split of `blockSizes` examples per block. Without a seed: every block in
 * file order. With one: a block shuffle, as streaming loaders do: the blocks in a seeded random
 * order, and the examples of every window of SHUFFLE_WINDOW_BLOCKS consecutive blocks permuted
 * together. Every example comes once per pass; memory holds one window, not the split.
 */
export function readingPlan(blockSizes: readonly number[], shuffleSeed?: number): Window[] {
  if (shuffleSeed === undefined) return blockSizes.map((_, b) => ({ blocks: [b], order: null }));
  const rng = createRng(shuffleSeed);
  const blocks = permutation(blockSizes.length, rng);
  const windows: Window[] = [];
  for (let at = 0; at < blocks.length; at += SHUFFLE_WINDOW_BLOCKS) {
    const group = Array.from(blocks.slice(at, at + SHUFFLE_WINDOW_BLOCKS));
    const count = group.reduce((sum, b) => sum + blockSizes[b], 0);
    windows.push({ blocks: group, order: Array.from(permutation(count, rng)) });
  }
  return windows;
}
