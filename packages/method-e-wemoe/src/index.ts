// @mergebench/method-e-wemoe: E-WEMoE — WEMoE with pruned, sparsely stored task vectors and one
// router shared by all layers.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { eWemoe } from './components.js';

/** Re-exported from @mergebench/moe, where the sparse task vectors and their Linear live. */
export { pruneBias, pruneWeight, SparseEnsembledLinear, type SparseEntries } from '@mergebench/moe';
export { E_WEMOE_PAPER, eWemoe } from './components.js';
export { layerEncoding } from './layer-encoding.js';
export { E_WEMOE_PARAMS, type EWemoeSettings, eWemoeSettings } from './params.js';
export { keepPercent } from './prune-percent.js';
export { type SparseMoeSettings, sparseMoeDesign } from './sparse-moe-design.js';

export default definePlugin({
  name: '@mergebench/method-e-wemoe',
  register(r) {
    r.method(eWemoe);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
