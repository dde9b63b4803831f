import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Stored entries of one key: the bytes of a piece as read (any typed array over them). */
export type StoredEntries = Uint8Array | Uint16Array | Float32Array;

/** The stored float formats, as safetensors names them. */
export type StoredDtype = 'F32' | 'F16' | 'BF16';

/** Codes of the stored formats, shared with native/storage.h. */
export const DTYPE_CODES: Readonly<Record<StoredDtype, number>> = { F32: 0, F16: 1, BF16: 2 };

/** Codes of a model's sparsification, shared with native/loops.h. */
export const SPARSIFY_CODES = { none: 0, magnitude: 1, random: 2 } as const;

/** Models a merge loop takes at most (native/loops.h); merges of more run on JavaScript. */
export const MAX_MODELS = 64;

/** Numbers per model in `generalized`'s rules: sparsify, weight, threshold, ties, stream, cut, dareDivisor. */
export const RULE_FIELDS = 7;

/**
 * The compiled loops (native/addon.cc). Stored arrays hold entries [0, n); each merge writes
 * entries [0, n) of `out` as `outDtype` and returns how many merged values are NaN or infinite.
 * Weights are float32 values; every operation is the JavaScript loops' float32 operation.
 */
export interface MergeLoopsAddon {
  /** Task arithmetic: θ₀ + λ·(Σᵢ fl(δᵢ·wᵢ)) / divisor (no division when divisor is 1, no λ unless `scale`). */
  plain(
    dtype: number,
    base: StoredEntries,
    models: readonly StoredEntries[],
    weights: Float32Array,
    divisor: number,
    scale: boolean,
    lambda: number,
    n: number,
    outDtype: number,
    out: StoredEntries,
  ): number;
  /** mergekit's linear: Σᵢ fl(θᵢ·wᵢ), divided by `total` when normalising. */
  linear(
    dtype: number,
    models: readonly StoredEntries[],
    weights: Float32Array,
    normalize: boolean,
    total: number,
    n: number,
    outDtype: number,
    out: StoredEntries,
  ): number;
  /**
   * A pass of the magnitude selection over |fl(θᵢ − θ₀)|: pass 0 counts the high 16 bits into
   * counts[t] (2¹⁵ bins), pass 1 the low 16 bits of the values in high bin bins[t] (2¹⁶ bins);
   * null skips a model. firstNaN[t]: the first entry whose difference is NaN (pass 0), else −1.
   */
  magnitudeScan(
    pass: 0 | 1,
    dtype: number,
    base: StoredEntries,
    models: readonly StoredEntries[],
    counts: readonly (Uint32Array | null)[],
    bins: Int32Array,
    n: number,
    firstNaN: Float64Array,
  ): void;
  /**
   * Generalized task arithmetic (ties, dare_*): `rules` holds RULE_FIELDS numbers per model and
   * gets each model's ties left at the threshold back; `firstIndex` is the key's index of entry 0.
   */
  generalized(
    dtype: number,
    base: StoredEntries,
    models: readonly StoredEntries[],
    rules: Float64Array,
    consensus: boolean,
    normalize: boolean,
    plainDivisor: number,
    scale: boolean,
    lambda: number,
    firstIndex: number,
    n: number,
    outDtype: number,
    out: StoredEntries,
  ): number;
  /** Threads a merge splits its entries over; sets them when given. */
  threads(count?: number): number;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const ADDON_PATH = `${packageRoot}build/Release/merge_loops.node`;
const UNAVAILABLE_PATH = `${packageRoot}build/unavailable.txt`;

let loaded: { addon?: MergeLoopsAddon; reason?: string } | undefined;

function load(): { addon?: MergeLoopsAddon; reason?: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    const reason = existsSync(UNAVAILABLE_PATH)
      ? readFileSync(UNAVAILABLE_PATH, 'utf8').trim()
      : 'not built (run `pnpm --filter @mergebench/merge-loops build:addon`)';
    loaded = { reason };
  } else {
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_PATH) as MergeLoopsAddon };
    } catch (e) {
      loaded = { reason: `cannot load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
  }
  return loaded;
}

/** Which loops a merge runs: `native` (this addon), `js` (the JavaScript loops), or `auto`. */
export type LoopsChoice = 'native' | 'js' | 'auto';

/** MERGEBENCH_MERGE_LOOPS (`native`, `js`, unset: `auto`), one clear error for anything else. */
export function loopsChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): LoopsChoice {
  const value = env.MERGEBENCH_MERGE_LOOPS;
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'native' || value === 'js') return value;
  throw new Error(`MERGEBENCH_MERGE_LOOPS=${value}: expected native, js or auto`);
}

/**
 * The native loops for `choice` (default: MERGEBENCH_MERGE_LOOPS) and a merge of `models` models:
 * undefined for `js`, for more than MAX_MODELS models, and for `auto` where the addon is not built
 * or cannot load; `native` throws one line saying why then.
 */
export function loadMergeLoops(
  choice: LoopsChoice = loopsChoiceFromEnv(),
  models = 0,
): MergeLoopsAddon | undefined {
  // Merges of more models than the native loops take run on JavaScript, whatever the choice.
  if (choice === 'js' || models > MAX_MODELS) return undefined;
  const { addon, reason } = load();
  if (!addon && choice === 'native')
    throw new Error(`@mergebench/merge-loops: native loops unavailable: ${reason}`);
  return addon;
}

/** Why the native loops are not there (undefined when they are). */
export function mergeLoopsUnavailable(): string | undefined {
  return load().reason;
}
