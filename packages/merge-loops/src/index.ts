// @mergebench/merge-loops: the inner loops of weights-only merges as a native addon, built at
// install, bit for bit the JavaScript loops of @mergebench/task-vectors (which falls back to those
// when the addon is missing or MERGEBENCH_MERGE_LOOPS=js).
export {
  DTYPE_CODES,
  type LoopsChoice,
  loadMergeLoops,
  loopsChoiceFromEnv,
  MAX_MODELS,
  type MergeLoopsAddon,
  mergeLoopsUnavailable,
  RULE_FIELDS,
  SPARSIFY_CODES,
  type StoredDtype,
  type StoredEntries,
} from './addon.js';
