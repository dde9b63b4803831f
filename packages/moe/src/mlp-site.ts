import {
  type Activation,
  activationByName,
  check,
  listNames,
  MergebenchError,
  type Module,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * What an MLP site must look like to be upscaled: a module computing fc2(activation(fc1(x)))
 * with two Linear children `fc1` and `fc2` (weights [out, in], biases optional) and no other
 * parameters. A site module that exposes its activation as an `activation` function (as the CLIP
 * MLP does) is taken at its word; for one that does not, the method's `activation` parameter
 * names it, or `auto` identifies it among the known activations by comparing outputs.
 */
export interface MlpSiteModule extends Module {
  readonly activation?: Activation;
}

/** Activation names the method accepts (Hugging Face `hidden_act` names), besides `auto`. */
export const ACTIVATION_NAMES = ['gelu', 'quick_gelu', 'relu', 'gelu_new', 'gelu_pytorch_tanh'] as const;

/** The parameter names of an upscalable MLP, relative to the site. */
export const MLP_LINEARS = ['fc1', 'fc2'] as const;
export type MlpLinearName = (typeof MLP_LINEARS)[number];

export interface MlpShape {
  readonly inFeatures: number;
  readonly hidden: number;
  readonly outFeatures: number;
}

export interface ResolvedActivation {
  readonly name: string;
  readonly fn: Activation;
}

/** Relative output difference below which an activation counts as reproducing the MLP. */
const PROBE_TOLERANCE = 1e-5;
const PROBE_TOKENS = 4;

/** Checks that the module at `path` has exactly the fc1/fc2 parameters of an MLP; returns its sizes. */
export function mlpShape(mlp: Module, path: string): MlpShape {
  const params = mlp.namedParameters();
  const allowed = MLP_LINEARS.flatMap((fc) => [`${fc}.weight`, `${fc}.bias`]);
  const other = [...params.keys()].filter((key) => !allowed.includes(key));
  check(
    other.length === 0,
    () =>
      `MLP site '${path}' has parameters other than fc1/fc2 (${listNames(other, 4)}): it cannot be upscaled`,
  );
  for (const fc of MLP_LINEARS) {
    const w = params.get(`${fc}.weight`);
    check(w !== undefined && w.rank === 2, () => `MLP site '${path}' has no 2-D weight '${fc}.weight'`);
  }
  const [hidden, inFeatures] = params.get('fc1.weight')!.shape as [number, number];
  const [outFeatures, fc2In] = params.get('fc2.weight')!.shape as [number, number];
  check(fc2In === hidden, () => `MLP site '${path}': fc1 gives ${hidden} features but fc2 takes ${fc2In}`);
  return { inFeatures, hidden, outFeatures };
}

/** The name an activation function has among the known ones, if any. */
function knownName(fn: Activation): string | undefined {
  return ACTIVATION_NAMES.find((name) => activationByName(name) === fn);
}

/** max |a − b| / max(|b|, tiny) */
function relativeDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    const scale = tf.max(tf.abs(b)).dataSync()[0];
    return diff / Math.max(scale, 1e-12);
  });
}

/**
 * The activation between the MLP's fc1 and fc2: the `requested` name, or with `auto` the
 * module's own `activation` or else the known activation that reproduces it. Whichever it is, it
 * must reproduce the module's output on a probe input, which also proves the module computes
 * fc2(activation(fc1(x))) and nothing else.
 */
export function resolveActivation(
  mlp: MlpSiteModule,
  path: string,
  requested: string,
  seed: number,
): ResolvedActivation {
  const fc1 = mlp.getSubmodule('fc1');
  const fc2 = mlp.getSubmodule('fc2');
  const inFeatures = mlp.namedParameters().get('fc1.weight')!.shape[1]!;
  const probe = tf.randomNormal([1, PROBE_TOKENS, inFeatures], 0, 1, 'float32', seed);
  try {
    const expected = tf.tidy(() => mlp.forward(probe) as tf.Tensor);
    const hidden = tf.tidy(() => fc1.forward(probe) as tf.Tensor);
    const error = (fn: Activation) => tf.tidy(() => relativeDifference(fc2.forward(fn(hidden)), expected));
    try {
      const own = typeof mlp.activation === 'function' ? mlp.activation : undefined;
      let chosen: ResolvedActivation;
      if (requested !== 'auto') chosen = { name: requested, fn: activationByName(requested) };
      else if (own) chosen = { name: knownName(own) ?? 'custom', fn: own };
      else {
        const candidates = ACTIVATION_NAMES.map((name) => ({ name, fn: activationByName(name) }));
        const errors = candidates.map((c) => error(c.fn));
        chosen = candidates[errors.indexOf(Math.min(...errors))];
      }
      const mismatch = error(chosen.fn);
      if (!(mismatch <= PROBE_TOLERANCE)) {
        throw new MergebenchError(
          `MLP site '${path}' is not fc2(${chosen.name}(fc1(x))) (relative difference ${mismatch.toExponential(2)} on a probe input)` +
            (requested === 'auto'
              ? '; set method.activation if its activation is one of ' + ACTIVATION_NAMES.join(', ')
              : ''),
        );
      }
      return chosen;
    } finally {
      tf.dispose([expected, hidden]);
    }
  } finally {
    probe.dispose();
  }
}
