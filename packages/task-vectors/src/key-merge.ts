import type { StoredDtype, StoredEntries } from '@mergebench/merge-loops';

export type { StoredDtype, StoredEntries };

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

/** Consecutive entries of one key in every model, as float32 runs of the same length. */
export interface KeyChunk {
  readonly base: Float32Array | undefined;
  readonly models: readonly Float32Array[];
}

/**
 * The merge of one key a run of entries at a time, for drivers that stream a tensor from disk
 * in pieces (memory: a run of every model, whatever the tensor's size). The driver calls
 * `scan(p, …)` over every entry in index order for each pass p < `passes` (TIES's thresholds,
 * SLERP's angle), then `merge` over every entry in index order; runs may have any length.
 */
export interface TensorMerge {
  readonly passes: number;
  /** Pass `pass` over the entries [start, start + run length). */
  scan(pass: number, chunk: KeyChunk, start: number): void;
  /** Writes the merged entries [start, start + run length) into `out` (of the run's length). */
  merge(chunk: KeyChunk, start: number, out: Float32Array): void;
  /**
   * Where a method has one (task arithmetic of three models), `merge` for BF16 storage in and out
   * without float32 copies: entries [from, from + len) of the bfloat16 arrays (the key's entries
   * from `start − from`) merged into `out` at the same indices, rounded to nearest even as
   * PyTorch's `.to(torch.bfloat16)`, with the same result bit for bit. Returns how many merged
   * values were NaN or infinite.
   */
  mergeBf16?(
    base: Uint16Array,
    models: readonly Uint16Array[],
    from: number,
    len: number,
    out: Uint16Array,
  ): number;
  /**
   * Where the native loops are loaded (@mergebench/merge-loops): `scan` over the key's entries
   * [start, start + count) of every model as stored (`dtype`), from element 0 of each array.
   */
  scanStored?(
    pass: number,
    dtype: StoredDtype,
    base: StoredEntries | undefined,
    models: readonly StoredEntries[],
    start: number,
    count: number,
  ): void;
  /**
   * `merge` over stored entries likewise, the result written into `out` as `outDtype` (rounded as
   * the JavaScript path rounds); returns how many merged values are NaN or infinite.
   */
  mergeStored?(
    dtype: StoredDtype,
    base: StoredEntries | undefined,
    models: readonly StoredEntries[],
    start: number,
    count: number,
    outDtype: StoredDtype,
    out: StoredEntries,
  ): number;
}

/** A KeyMerge that can also merge a key run by run (`tensor`), with the same result bit for bit. */
export interface StreamableKeyMerge extends KeyMerge {
  /** Starts the merge of `key`, a tensor of `n` entries. */
  tensor(key: string, n: number): TensorMerge;
}

/** Runs of this many entries: every model's run stays in cache while it is merged. */
export const RUN = 4096;

function runOf(inputs: KeyChunk, start: number, end: number): KeyChunk {
  return {
    base: inputs.base?.subarray(start, end),
    models: inputs.models.map((x) => x.subarray(start, end)),
  };
}

/** The KeyMerge of whole tensors that `tensor` defines run by run. */
export function streamableKeyMerge(tensor: (key: string, n: number) => TensorMerge): StreamableKeyMerge {
  const merge = ((inputs: KeyMergeInputs, output?: Float32Array) => {
    const n = (inputs.base ?? inputs.models[0]).length;
    const out = output ?? new Float32Array(n);
    const t = tensor(inputs.key, n);
    for (let pass = 0; pass < t.passes; pass++)
      for (let start = 0; start < n; start += RUN)
        t.scan(pass, runOf(inputs, start, Math.min(n, start + RUN)), start);
    for (let start = 0; start < n; start += RUN) {
      const end = Math.min(n, start + RUN);
      t.merge(runOf(inputs, start, end), start, out.subarray(start, end));
    }
    return out;
  }) as StreamableKeyMerge;
  merge.tensor = tensor;
  return merge;
}
