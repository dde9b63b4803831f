import * as tf from '@tensorflow/tfjs';
import type { Router } from './router.js';

/**
 * Routing weights for hidden states [B, N, D], shared by every weight-ensembling module (MLP or
 * whole block): [B, T] per sample, or [1, T] when the batch shares one set (a depth-0 router, or
 * `batchReduce` while training). With a layer encoding (E-WEMoE's shared router), the router reads
 * [encoding, hidden] per token, as FusionBench's sparse_we_moe.py does:
 * torch.cat((layer_positional_encoding, hidden_states), dim=-1).
 */
export function routeHidden(
  router: Router,
  encoding: tf.Tensor | null,
  hidden: tf.Tensor,
  batchReduce: boolean,
): tf.Tensor {
  return tf.tidy(() => {
    const r = router.forward(withEncoding(router, encoding, hidden));
    return batchReduce && r.shape[0] > 1 ? tf.mean(r, 0, true) : r;
  });
}

function withEncoding(router: Router, encoding: tf.Tensor | null, hidden: tf.Tensor): tf.Tensor {
  if (encoding === null || router.depth === 0) return hidden;
  const [batch, tokens] = hidden.shape;
  const tiled = tf.broadcastTo(tf.reshape(encoding, [1, 1, -1]), [batch!, tokens!, encoding.size]);
  return tf.concat([tiled, hidden], 2);
}
