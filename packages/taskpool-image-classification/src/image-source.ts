/**
 * Examples of one data set (or of one official split of it) that can be drawn at any image size.
 * Sources decode lazily: a split selects indices first and only those examples are drawn.
 */
export interface ImageSource {
  /** One label per example; the example count is its length. */
  readonly labels: Int32Array;
  /** 1 for grayscale sources (replicated to 3 channels in batches), 3 for colour. */
  readonly channels: 1 | 3;
  /**
   * Writes example `index` as `channels` planes of size×size with intensities in [0, 1]
   * (channel-first, row-major) into `out` at `offset`.
   */
  draw(index: number, size: number, out: Float32Array, offset: number): void;
}

/**
 * Where a task's examples come from: a data set with an official train/test split, one pool of
 * examples that the task pool splits itself, or a generator that makes every split afresh.
 */
export type TaskSources =
  | { readonly kind: 'official'; readonly train: ImageSource; readonly test: ImageSource }
  | { readonly kind: 'pooled'; readonly all: ImageSource }
  | { readonly kind: 'generated'; generate(split: GeneratedSplit, count: number): ImageSource };

/** The splits a generator makes, each from its own seed. */
export type GeneratedSplit = 'train' | 'validation' | 'test';
