import * as tf from '@tensorflow/tfjs';
import { check, listNames, MergebenchError } from '../errors.js';

/**
 * Gradients for an optimizer step: by variable, or by variable name as tf.variableGrads returns
 * them. Missing or null entries leave that variable (and its state) untouched this step, as
 * torch.optim does for parameters whose `.grad` is None.
 */
export type Gradients = ReadonlyMap<tf.Variable, tf.Tensor> | tf.NamedTensorMap;

/**
 * An optimizer over an explicit list of variables, with torch.optim's update rules. Its state is a
 * set of named tensors (per-variable step counts and moment slots, keyed by the variable's
 * position in the list, like torch's state_dict), so a saved training state can hold it.
 */
export interface Optimizer {
  readonly variables: readonly tf.Variable[];
  /** Used by the next step; a schedule may change it before every step. */
  learningRate: number;
  /** Updates the variables in place from `grads`; the caller still owns (and disposes) them. */
  step(grads: Gradients): void;
  /** A snapshot of the state: `step` (int32 [variables]) and `<slot>.<index>`; the caller disposes it. */
  state(): Map<string, tf.Tensor>;
  /** Restores a snapshot from state(); `origin` names its file in error messages. */
  loadState(state: ReadonlyMap<string, tf.Tensor>, origin?: string): void;
  dispose(): void;
}

export interface AdamOptions {
  /** Default 1e-3. */
  readonly lr?: number;
  /** Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to the bias-corrected sqrt of the second moment. Default 1e-8. */
  readonly eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  readonly weightDecay?: number;
}

export interface SgdOptions {
  readonly lr: number;
  /** Default 0 (plain SGD, no state). */
  readonly momentum?: number;
  /** Default 0. */
  readonly dampening?: number;
  /** L2 penalty added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Default false; needs momentum > 0 and dampening 0. */
  readonly nesterov?: boolean;
}

function checkHyper(name: string, value: number, ok: boolean, expected: string): void {
  check(ok && Number.isFinite(value), () => `optimizer: ${name} ${value} is invalid; expected ${expected}`);
}

function checkLearningRate(value: number): void {
  checkHyper('learning rate', value, value >= 0, 'a finite number ≥ 0');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * The bookkeeping shared by the torch-style optimizers: the variable list, per-variable step
 * counts (torch keeps one per parameter, and bias correction depends on it), slot variables, and
 * state snapshots. Subclasses implement one variable's update.
 */
abstract class TorchOptimizer implements Optimizer {
  readonly variables: readonly tf.Variable[];
  #learningRate = 0;
  readonly #indexByVariable = new Map<tf.Variable, number>();
  readonly #indexByName = new Map<string, number>();
  /** Completed updates per variable. */
  protected readonly stepCounts: number[];
  /** Slot name → one zero-initialised variable per optimized variable. */
  protected readonly slots = new Map<string, tf.Variable[]>();

  constructor(variables: readonly tf.Variable[], lr: number, slotNames: readonly string[]) {
    check(variables.length > 0, 'optimizer: needs at least one variable');
    this.variables = [...variables];
    this.variables.forEach((variable, i) => {
      check(
        !this.#indexByVariable.has(variable),
        () => `optimizer: variable '${variable.name}' is listed twice`,
      );
      check(
        variable.dtype === 'float32',
        () => `optimizer: variable '${variable.name}' is ${variable.dtype}, not float32`,
      );
      this.#indexByVariable.set(variable, i);
      this.#indexByName.set(variable.name, i);
    });
    this.learningRate = lr;
    this.stepCounts = this.variables.map(() => 0);
    for (const slot of slotNames) {
      this.slots.set(
        slot,
        this.variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
      );
    }
  }

  get learningRate(): number {
    return this.#learningRate;
  }

  set learningRate(value: number) {
    checkLearningRate(value);
    this.#learningRate = value;
  }

  protected slot(name: string, index: number): tf.Variable {
    return this.slots.get(name)![index];
  }

  /** One variable's update; runs inside tf.tidy with stepCounts[index] already incremented. */
  protected abstract update(index: number, param: tf.Variable, grad: tf.Tensor, lr: number): void;

  step(grads: Gradients): void {
    const byIndex = this.#collect(grads);
    const lr = this.#learningRate;
    tf.tidy(() => {
      byIndex.forEach((grad, i) => {
        if (grad === undefined) return;
        this.stepCounts[i] += 1;
        this.update(i, this.variables[i], grad, lr);
      });
    });
  }

  #collect(grads: Gradients): (tf.Tensor | undefined)[] {
    const out: (tf.Tensor | undefined)[] = this.variables.map(() => undefined);
    const entries: [tf.Variable | string, tf.Tensor | null | undefined][] =
      grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
    for (const [key, grad] of entries) {
      const index = typeof key === 'string' ? this.#indexByName.get(key) : this.#indexByVariable.get(key);
      const name = typeof key === 'string' ? key : key.name;
      if (index === undefined) {
        throw new MergebenchError(
          `optimizer: got a gradient for variable '${name}', which it does not manage`,
        );
      }
      if (grad === null || grad === undefined) continue;
      const variable = this.variables[index];
      check(
        sameShape(grad.shape, variable.shape),
        () =>
          `optimizer: gradient for '${name}' has shape ${shapeText(grad.shape)}, variable has ${shapeText(variable.shape)}`,
      );
      out[index] = grad;
    }
    return out;
  }

  state(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>([['step', tf.tensor1d(this.stepCounts, 'int32')]]);
    for (const [slot, values] of this.slots) {
      values.forEach((v, i) => {
        out.set(`${slot}.${i}`, tf.clone(v));
      });
    }
    return out;
  }

  loadState(state: ReadonlyMap<string, tf.Tensor>, origin = 'optimizer state'): void {
    const expected = new Map<string, readonly number[]>([['step', [this.variables.length]]]);
    for (const slot of this.slots.keys()) {
      this.variables.forEach((v, i) => {
        expected.set(`${slot}.${i}`, v.shape);
      });
    }
    const missing = [...expected.keys()].filter((key) => !state.has(key));
    const unexpected = [...state.keys()].filter((key) => !expected.has(key));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new MergebenchError(
        `${origin}: does not fit this optimizer (missing: ${listNames(missing, 4)}; unexpected: ${listNames(unexpected, 4)})`,
      );
    }
    for (const [key, shape] of expected) {
      const value = state.get(key)!;
      check(
        sameShape(value.shape, shape),
        () => `${origin}: '${key}' has shape ${shapeText(value.shape)}, expected ${shapeText(shape)}`,
      );
    }
    const steps = Array.from(state.get('step')!.dataSync());
    const bad = steps.findIndex((s) => !(Number.isInteger(s) && s >= 0));
    check(bad < 0, () => `${origin}: 'step' entry ${bad} is ${steps[bad]}, not a step count`);
    this.stepCounts.splice(0, steps.length, ...steps);
    tf.tidy(() => {
      for (const [slot, values] of this.slots) {
        values.forEach((v, i) => {
          v.assign(tf.cast(state.get(`${slot}.${i}`)!, 'float32'));
        });
      }
    });
  }

  dispose(): void {
    for (const values of this.slots.values()) for (const v of values) if (!v.isDisposed) v.dispose();
    this.slots.clear();
  }
}

/**
 * Adam's update, shared by Adam and AdamW, which differ only in how weight decay is applied:
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps).
 * The ops follow torch's order so that float32 results agree to rounding.
 */
abstract class AdamUpdate extends TorchOptimizer {
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  readonly #weightDecay: number;
  /** AdamW decays the parameter itself; Adam adds an L2 term to the gradient. */
  readonly #decoupled: boolean;

  constructor(variables: readonly tf.Variable[], options: AdamOptions, decoupled: boolean) {
    super(variables, options.lr ?? 1e-3, ['exp_avg', 'exp_avg_sq']);
    [this.#beta1, this.#beta2] = options.betas ?? [0.9, 0.999];
    this.#eps = options.eps ?? 1e-8;
    this.#weightDecay = options.weightDecay ?? (decoupled ? 1e-2 : 0);
    this.#decoupled = decoupled;
    checkHyper('beta1', this.#beta1, this.#beta1 >= 0 && this.#beta1 < 1, 'a number in [0, 1)');
    checkHyper('beta2', this.#beta2, this.#beta2 >= 0 && this.#beta2 < 1, 'a number in [0, 1)');
    checkHyper('eps', this.#eps, this.#eps >= 0, 'a number ≥ 0');
    checkHyper('weight decay', this.#weightDecay, this.#weightDecay >= 0, 'a number ≥ 0');
  }

  protected update(index: number, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    let g = grad;
    if (this.#weightDecay !== 0) {
      if (this.#decoupled) param.assign(tf.mul(param, 1 - lr * this.#weightDecay));
      else g = tf.add(grad, tf.mul(param, this.#weightDecay));
    }
    const m = this.slot('exp_avg', index);
    const v = this.slot('exp_avg_sq', index);
    m.assign(tf.add(tf.mul(m, this.#beta1), tf.mul(g, 1 - this.#beta1)));
    v.assign(tf.add(tf.mul(v, this.#beta2), tf.mul(tf.mul(g, 1 - this.#beta2), g)));
    const t = this.stepCounts[index];
    // Bias corrections in double precision, as torch computes them in Python floats.
    const stepSize = lr / (1 - this.#beta1 ** t);
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - this.#beta2 ** t)), this.#eps);
    param.assign(tf.add(param, tf.div(tf.mul(m, -stepSize), denom)));
  }
}

/** Adam as torch.optim.Adam (amsgrad off): weight decay (default 0) is an L2 term added to the gradient. */
export class Adam extends AdamUpdate {
  constructor(variables: readonly tf.Variable[], options: AdamOptions = {}) {
    super(variables, options, false);
  }
}

/**
 * AdamW as torch.optim.AdamW: the parameter is first multiplied by (1 − lr·weightDecay), then
 * updated as Adam without an L2 term. Weight decay defaults to 1e-2.
 */
export class AdamW extends AdamUpdate {
  constructor(variables: readonly tf.Variable[], options: AdamOptions = {}) {
    super(variables, options, true);
  }
}

/**
 * SGD as torch.optim.SGD: d = g + weightDecay·p; with momentum, the buffer starts as d on a
 * variable's first update and is then b ← momentum·b + (1−dampening)·d; Nesterov uses
 * d + momentum·b, otherwise b; p ← p − lr·d.
 */
export class SGD extends TorchOptimizer {
  readonly #momentum: number;
  readonly #dampening: number;
  readonly #weightDecay: number;
  readonly #nesterov: boolean;

  constructor(variables: readonly tf.Variable[], options: SgdOptions) {
    const momentum = options.momentum ?? 0;
    checkHyper('momentum', momentum, momentum >= 0, 'a number ≥ 0');
    super(variables, options.lr, momentum === 0 ? [] : ['momentum_buffer']);
    this.#momentum = momentum;
    this.#dampening = options.dampening ?? 0;
    this.#weightDecay = options.weightDecay ?? 0;
    this.#nesterov = options.nesterov ?? false;
    checkHyper('weight decay', this.#weightDecay, this.#weightDecay >= 0, 'a number ≥ 0');
    checkHyper('dampening', this.#dampening, true, 'a finite number');
    check(
      !this.#nesterov || (momentum > 0 && this.#dampening === 0),
      () =>
        `optimizer: Nesterov momentum needs momentum > 0 and dampening 0 (got ${momentum} and ${this.#dampening})`,
    );
  }

  protected update(index: number, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    let d = this.#weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, this.#weightDecay));
    if (this.#momentum !== 0) {
      const buffer = this.slot('momentum_buffer', index);
      const first = this.stepCounts[index] === 1;
      buffer.assign(first ? d : tf.add(tf.mul(buffer, this.#momentum), tf.mul(d, 1 - this.#dampening)));
      d = this.#nesterov ? tf.add(d, tf.mul(buffer, this.#momentum)) : buffer;
    }
    param.assign(tf.add(param, tf.mul(d, -lr)));
  }
}
