import * as tf from '@tensorflow/tfjs';
import { gelu } from '../nn/activations.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { ModuleList } from '../nn/module-list.js';
import type { ModelSite } from '../nn/sites.js';
import { createRng } from '../random.js';
import type { StateDict } from '../tensors/types.js';

/** Sizes of the toy encoder; small enough that training one takes a second on the cpu backend. */
export interface ToyModelConfig {
  /** Features per input token. */
  readonly inputDim: number;
  readonly tokens: number;
  readonly hidden: number;
  readonly layers: number;
}

export const DEFAULT_TOY_MODEL: ToyModelConfig = { inputDim: 8, tokens: 4, hidden: 16, layers: 2 };

class ToyMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(hidden: number) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(hidden, 2 * hidden));
    this.fc2 = this.registerModule('fc2', new Linear(2 * hidden, hidden));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(gelu(this.fc1.forward(x))));
  }
}

class ToyLayer extends Module {
  readonly layer_norm: LayerNorm;
  readonly mlp: ToyMlp;
  constructor(hidden: number) {
    super();
    this.layer_norm = this.registerModule('layer_norm', new LayerNorm(hidden));
    this.mlp = this.registerModule('mlp', new ToyMlp(hidden));
  }
  forward(x: tf.Tensor): tf.Tensor {
    // Read mlp through the registry so a method's replacement (setSubmodule) takes effect.
    const mlp = this.getSubmodule('mlp');
    return tf.tidy(() => tf.add(x, mlp.forward(this.layer_norm.forward(x))));
  }
}

/**
 * A pre-norm residual MLP encoder over a few tokens: inputs [B, tokens, inputDim] → features
 * [B, hidden] (mean over tokens). It has the shape merge methods care about — per-layer MLPs
 * declared as sites, hidden states [B, N, D] flowing between them — at a size tests can train.
 */
export class ToyEncoder extends Module {
  readonly embed: Linear;
  readonly layers: ModuleList<ToyLayer>;
  readonly final_norm: LayerNorm;

  constructor(readonly config: ToyModelConfig = DEFAULT_TOY_MODEL) {
    super();
    this.embed = this.registerModule('embed', new Linear(config.inputDim, config.hidden));
    this.layers = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: config.layers }, () => new ToyLayer(config.hidden))),
    );
    this.final_norm = this.registerModule('final_norm', new LayerNorm(config.hidden));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = this.embed.forward(x);
      for (const layer of this.layers) h = layer.forward(h);
      return tf.mean(this.final_norm.forward(h), 1);
    });
  }

  override sites(): ModelSite[] {
    // Whole layers too, for methods that upscale blocks (WEMoE's upscaling ablation).
    return Array.from({ length: this.config.layers }, (_, i) => [
      { kind: 'layer' as const, path: `layers.${i}`, layer: i },
      { kind: 'mlp' as const, path: `layers.${i}.mlp`, layer: i },
    ]).flat();
  }
}

/** Seeded initial weights for a ToyEncoder (tfjs initialisers are not seedable globally). */
export function toyInitialWeights(config: ToyModelConfig, seed: number): StateDict {
  const rng = createRng(seed);
  const model = new ToyEncoder(config);
  const out: StateDict = new Map();
  for (const [name, p] of model.namedParameters()) {
    const n = p.size;
    const values = new Float32Array(n);
    if (name.endsWith('norm.weight')) values.fill(1);
    else if (!name.endsWith('bias')) {
      const std = 1 / Math.sqrt(p.shape[1] ?? 1);
      for (let i = 0; i < n; i++) values[i] = rng.normal() * std;
    }
    out.set(name, tf.tensor(values, p.shape));
  }
  model.dispose();
  return out;
}
