/**
 * A merge of one tensor at a time, as mergekit defines its methods: every input of one key as
 * float32, the result as float32. Streaming drivers (a weights-only model pool writing shards)
 * read one key of every model, call it, and write the result, so peak memory is one key per
 * model plus the output whatever the model size.
 */
export interface KeyMergeInputs {
  /** The parameter's name, e.g. `model.layers.0.mlp.up_proj.weight` (seeds and messages). */
  readonly key: string;
  /** The base model's values (θ₀), or undefined for methods without a base (linear). */
  readonly base: Float32Array | undefined;
  /** The other models' values, in configuration order. */
  readonly models: readonly Float32Array[];
}

/** Returns the merged values, written into `out` when given (of the inputs' length). */
export type KeyMerge = (inputs: KeyMergeInputs, out?: Float32Array) => Float32Array;
