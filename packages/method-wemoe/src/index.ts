// @mergebench/method-wemoe: Weight-Ensembling MoE — every MLP upscaled into a mixture of its task
// vectors, routed per sample by routers trained at test time on unlabelled data. The modules,
// routers and upscaling it is built from live in @mergebench/moe.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { wemoe } from './components.js';

/** Re-exported from core, where every adaptation method's history file is named. */
export { HISTORY_FILE } from '@mergebench/core';
/** Re-exported from @mergebench/moe: the file a run's trained routers are saved in. */
export { ROUTERS_FILE } from '@mergebench/moe';
export { WEMOE_PAPER, wemoe } from './components.js';

export default definePlugin({
  name: '@mergebench/method-wemoe',
  register(r) {
    r.method(wemoe);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
