// @mergebench/method-e-wemoe: E-WEMoE — WEMoE with pruned, sparsely stored task vectors and one
// router shared by all layers.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { eWemoe } from './components.js';

export { E_WEMOE_PAPER, eWemoe } from './components.js';
export { layerEncoding } from './layer-encoding.js';
export { E_WEMOE_PARAMS, type EWemoeSettings, eWemoeSettings } from './params.js';
export { keepPercent } from './prune-percent.js';
export { SparseEnsembledLinear } from './sparse-ensembled-linear.js';
export { type SparseMoeSettings, sparseMoeDesign } from './sparse-moe-design.js';
export { pruneBias, pruneWeight, type SparseEntries } from './sparse-task-vector.js';

export default definePlugin({
  name: '@mergebench/method-e-wemoe',
  register(r) {
    r.method(eWemoe);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
