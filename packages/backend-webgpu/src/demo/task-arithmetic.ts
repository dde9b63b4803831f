// The demo's computation, the same in the browser page (on `webgpu`) and in Node (on `cpu`, as
// the demo's test compares them): two small classifiers fine-tuned from one pretrained MLP on two
// synthetic tasks, merged by task arithmetic, θ = θ₀ + λ Σᵢ (θᵢ − θ₀), and every model evaluated
// on both tasks. Data, initial weights and teachers come from a seeded generator in JavaScript, not
// from tfjs's random ops, so that every backend starts from the same numbers.
//
// Synthetic tasks: inputs are standard normal vectors; task A's label is the argmax of x·T_A for a
// random "teacher" matrix T_A, task B's likewise with its own teacher.
import * as tf from '@tensorflow/tfjs';

export const DEMO = {
  inputs: 32,
  hidden: 64,
  classes: 4,
  trainSamples: 256,
  evalSamples: 512,
  steps: 40,
  learningRate: 0.5,
  /** The repository's task-arithmetic scaling factor. */
  lambda: 0.3,
} as const;

export const MODELS = ['pretrained', 'task A', 'task B', 'merged'] as const;
export const TASKS = ['A', 'B'] as const;

/** One model's result on one task. */
export interface Evaluation {
  readonly accuracy: number;
  readonly loss: number;
}

export interface DemoResult {
  /** The tfjs backend it ran on. */
  readonly backend: string;
  /** `evaluations[model][task]`, models and tasks as in MODELS and TASKS. */
  readonly evaluations: Record<(typeof MODELS)[number], Record<(typeof TASKS)[number], Evaluation>>;
  /** The merged model's parameters, flattened in order (w1, b1, w2, b2). */
  readonly merged: number[];
  /** Wall time of each phase, ms (fine-tuning includes the read that ends it). */
  readonly ms: { readonly finetune: number; readonly merge: number; readonly evaluate: number };
}

/**
 * mulberry32 (as core's createRng) with normals by Box-Muller, written here because the page bundles
 * tfjs alone: core's entry is Node-only.
 */
function normals(seed: number, count: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const phi = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(phi) * scale;
    if (i + 1 < count) out[i + 1] = r * Math.sin(phi) * scale;
  }
  return out;
}

type Params = [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];

function logits([w1, b1, w2, b2]: Params, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
}

function crossEntropy(params: Params, x: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits(params, x))), -1))) as tf.Scalar;
}

interface TaskData {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
}

function taskData(teacher: Float32Array, seed: number, samples: number): TaskData {
  const values = normals(seed, samples * DEMO.inputs);
  // Labels computed here in JavaScript: the same on every backend.
  const labels = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    let best = -Infinity;
    for (let c = 0; c < DEMO.classes; c++) {
      let dot = 0;
      for (let i = 0; i < DEMO.inputs; i++)
        dot += values[s * DEMO.inputs + i] * teacher[i * DEMO.classes + c];
      if (dot > best) {
        best = dot;
        labels[s] = c;
      }
    }
  }
  const oneHot = new Float32Array(samples * DEMO.classes);
  for (let s = 0; s < samples; s++) oneHot[s * DEMO.classes + labels[s]] = 1;
  return {
    x: tf.tensor2d(values, [samples, DEMO.inputs]),
    y: tf.tensor2d(oneHot, [samples, DEMO.classes]),
    labels: tf.tensor1d(labels, 'int32'),
  };
}

function finetune(start: Params, data: TaskData): Params {
  let params = start.map((p) => p.clone()) as Params;
  const gradients = tf.grads((...p: tf.Tensor[]) => crossEntropy(p as Params, data.x, data.y));
  for (let step = 0; step < DEMO.steps; step++) {
    const next = tf.tidy(
      () =>
        gradients(params).map((g, i) => tf.sub(params[i], tf.mul(g, DEMO.learningRate))) as unknown as Params,
    );
    tf.dispose(params);
    params = next;
  }
  return params;
}

async function evaluate(params: Params, data: TaskData): Promise<Evaluation> {
  const [correct, loss] = tf.tidy(() => [
    tf.sum(tf.cast(tf.equal(tf.argMax(logits(params, data.x), -1), data.labels), 'float32')),
    crossEntropy(params, data.x, data.y),
  ]);
  const [c, l] = await Promise.all([correct.data(), loss.data()]);
  tf.dispose([correct, loss]);
  return { accuracy: c[0] / data.labels.size, loss: l[0] };
}

const now = () => globalThis.performance.now();

/** Runs the demo on tfjs's current backend. */
export async function runTaskArithmeticDemo(): Promise<DemoResult> {
  const { inputs, hidden, classes } = DEMO;
  const pretrained: Params = [
    tf.tensor2d(normals(1, inputs * hidden, 1 / Math.sqrt(inputs)), [inputs, hidden]),
    tf.zeros([hidden]),
    tf.tensor2d(normals(2, hidden * classes, 1 / Math.sqrt(hidden)), [hidden, classes]),
    tf.zeros([classes]),
  ];
  const teachers = [normals(3, inputs * classes), normals(4, inputs * classes)];
  const train = teachers.map((t, i) => taskData(t, 10 + i, DEMO.trainSamples));
  const test = teachers.map((t, i) => taskData(t, 20 + i, DEMO.evalSamples));

  let start = now();
  const tuned = train.map((data) => finetune(pretrained, data));
  await Promise.all(tuned.flat().map((p) => p.data()));
  const finetuneMs = now() - start;

  start = now();
  // Task arithmetic: θ = θ₀ + λ Σᵢ (θᵢ − θ₀), parameter by parameter.
  const merged = tf.tidy(
    () =>
      pretrained.map((p0, k) =>
        tf.add(p0, tf.mul(tf.addN(tuned.map((t) => tf.sub(t[k], p0))), DEMO.lambda)),
      ) as unknown as Params,
  );
  const mergedValues = (await Promise.all(merged.map((p) => p.data()))).flatMap((v) => Array.from(v));
  const mergeMs = now() - start;

  start = now();
  const models: Record<(typeof MODELS)[number], Params> = {
    pretrained,
    'task A': tuned[0],
    'task B': tuned[1],
    merged,
  };
  const evaluations = {} as DemoResult['evaluations'];
  for (const model of MODELS) {
    evaluations[model] = {
      A: await evaluate(models[model], test[0]),
      B: await evaluate(models[model], test[1]),
    };
  }
  const evaluateMs = now() - start;

  tf.dispose([pretrained, tuned, merged, ...[...train, ...test].map((d) => [d.x, d.y, d.labels])]);
  return {
    backend: tf.getBackend(),
    evaluations,
    merged: mergedValues,
    ms: { finetune: finetuneMs, merge: mergeMs, evaluate: evaluateMs },
  };
}
