import type * as tf from '@tensorflow/tfjs';

/** Named tensors in a stable order, keyed by Hugging Face-style dotted names. */
export type StateDict = Map<string, tf.Tensor>;

export type DType = 'float32' | 'int32' | 'bool';

/** What is known about a tensor before it is read. */
export interface TensorInfo {
  readonly shape: readonly number[];
  /** dtype as stored on disk, e.g. F32, F16, BF16, I64, U8 (or the tfjs dtype for in-memory sources). */
  readonly storedDtype: string;
}

/**
 * A lazily read collection of named tensors: a checkpoint on disk or a state dict in memory.
 * Streaming merges read one key at a time from several sources, so that peak memory stays near
 * one tensor per source plus the output.
 */
export interface TensorSource {
  /** Where the tensors come from, for error messages (a file or folder path, or a model name). */
  readonly origin: string;
  keys(): string[];
  info(key: string): TensorInfo;
  /** Reads one tensor; the caller owns (and disposes) the result. */
  read(key: string): Promise<tf.Tensor>;
  /** Releases file handles. */
  close(): Promise<void>;
}
