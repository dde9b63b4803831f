import * as tf from '@tensorflow/tfjs';
import { check, listNames, MergebenchError } from '../errors.js';
import type { StateDict } from '../tensors/types.js';
import type { ModelSite } from './sites.js';

export interface ParameterOptions {
  /** Frozen parameters (false) are skipped by trainableVariables() and by tf.variableGrads. */
  readonly trainable?: boolean;
}

export interface BufferOptions {
  /** Non-persistent buffers are left out of stateDict() and not expected by loadStateDict(). */
  readonly persistent?: boolean;
}

export interface LoadStateDictOptions {
  /** When true (the default), missing and unexpected keys are errors. */
  readonly strict?: boolean;
}

export interface LoadStateDictResult {
  readonly missing: string[];
  readonly unexpected: string[];
}

interface BufferEntry {
  readonly variable: tf.Variable;
  readonly persistent: boolean;
}

/** Entries listed in full in a loadStateDict error before it says how many more there are. */
const SHOWN_IN_ERROR = 5;

function joinPath(prefix: string, name: string): string {
  if (prefix === '') return name;
  return name === '' ? prefix : `${prefix}.${name}`;
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A node of a model, after torch.nn.Module: it owns named parameters, buffers and child modules,
 * and its dotted names (`encoder.layers.0.mlp.fc1.weight`) are the Hugging Face/PyTorch names of
 * the same weights, in PyTorch layouts.
 *
 * Parameters and buffers are tf.Variables, so loading a state dict or freezing a parameter
 * changes them in place and every reference to them (fields, optimizer slots) stays valid.
 * Calling a module is calling `forward`.
 */
export abstract class Module {
  /** Set by train()/eval() on the whole subtree; layers with train-only behaviour read it. */
  training = true;

  readonly #parameters = new Map<string, tf.Variable>();
  readonly #buffers = new Map<string, BufferEntry>();
  readonly #children = new Map<string, Module>();
  /** Tensors standing in for this module's own parameters during a functionalCall. */
  #substitutes: ReadonlyMap<string, tf.Tensor> | null = null;

  abstract forward(...args: any[]): any;

  /**
   * The value a forward pass must use for parameter (or buffer) `name` of this module: the
   * stored Variable, or the tensor functionalCall substituted for it. Layers read their weights
   * through this so that a merge method can differentiate through weights it computes (θ0 + Σλτ).
   */
  param(name: string): tf.Tensor {
    const substitute = this.#substitutes?.get(name);
    if (substitute) return substitute;
    const own = this.#parameters.get(name) ?? this.#buffers.get(name)?.variable;
    check(own, () => `${this.constructor.name} has no parameter '${name}'`);
    return own;
  }

  /** @internal Used by functionalCall. */
  setSubstitutes(substitutes: ReadonlyMap<string, tf.Tensor> | null): void {
    this.#substitutes = substitutes;
  }

  /**
   * Adds a parameter and returns it as a tf.Variable. The module takes ownership of `value`
   * (it is disposed here); pass `value.clone()` to keep using a tensor of your own.
   */
  registerParameter(
    name: string,
    value: tf.Tensor,
    { trainable = true }: ParameterOptions = {},
  ): tf.Variable {
    this.#checkFreeName(name, 'parameter');
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.#parameters.set(name, variable);
    return variable;
  }

  /**
   * Adds non-parameter state (e.g. position ids) and returns it as a non-trainable tf.Variable;
   * ownership of `value` passes to the module as for registerParameter.
   */
  registerBuffer(name: string, value: tf.Tensor, { persistent = true }: BufferOptions = {}): tf.Variable {
    this.#checkFreeName(name, 'buffer');
    const variable = tf.variable(value, false);
    value.dispose();
    this.#buffers.set(name, { variable, persistent });
    return variable;
  }

  /** Adds a child module and returns it; use setSubmodule to replace one later. */
  registerModule<T extends Module>(name: string, child: T): T {
    this.#checkFreeName(name, 'module');
    this.#children.set(name, child);
    return child;
  }

  #checkFreeName(name: string, kind: string): void {
    check(
      name !== '' && !name.includes('.'),
      () => `${this.constructor.name}: ${kind} name '${name}' must be non-empty and contain no '.'`,
    );
    check(
      !this.#parameters.has(name) && !this.#buffers.has(name) && !this.#children.has(name),
      () => `${this.constructor.name}: cannot register ${kind} '${name}': the name is already taken`,
    );
  }

  /** Direct children in registration order. */
  namedChildren(): Map<string, Module> {
    return new Map(this.#children);
  }

  /** This module (named '') and all its descendants, depth first, each shared module once. */
  namedModules(): Map<string, Module> {
    const out = new Map<string, Module>();
    const seen = new Set<Module>();
    const visit = (prefix: string, module: Module): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.set(prefix, module);
      for (const [name, child] of module.#children) visit(joinPath(prefix, name), child);
    };
    visit('', this);
    return out;
  }

  /**
   * All parameters by dotted name: each module's own in registration order, then its children's.
   * A parameter shared by several modules is listed once, under its first name.
   */
  namedParameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const seen = new Set<tf.Variable>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, variable] of module.#parameters) {
        if (seen.has(variable)) continue;
        seen.add(variable);
        out.set(joinPath(prefix, name), variable);
      }
    }
    return out;
  }

  parameters(): tf.Variable[] {
    return [...this.namedParameters().values()];
  }

  /**
   * The parameters that are not frozen: pass this list explicitly to tf.variableGrads and
   * optimizers rather than relying on tfjs's global variable registry.
   */
  trainableVariables(): tf.Variable[] {
    return this.parameters().filter((variable) => variable.trainable);
  }

  /** Number of scalar weights, each shared parameter counted once. */
  countParameters({ trainableOnly = false }: { readonly trainableOnly?: boolean } = {}): number {
    const counted = trainableOnly ? this.trainableVariables() : this.parameters();
    return counted.reduce((sum, variable) => sum + variable.size, 0);
  }

  /** The descendant at a dotted path ('' is this module). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let module: Module = this;
    let walked = '';
    for (const name of path.split('.')) {
      const child = module.#children.get(name);
      if (child === undefined) {
        const where = walked === '' ? 'the root' : `'${walked}'`;
        throw new MergebenchError(
          `no submodule '${path}': ${where} has no child '${name}' (children: ${listNames(module.#children.keys())})`,
        );
      }
      module = child;
      walked = joinPath(walked, name);
    }
    return module;
  }

  /**
   * Replaces the existing child at a dotted path and returns the old one, which is not disposed.
   * Fields of the parent that referred to the old child are pointed at the new one, so a
   * subclass's `this.mlp` follows the replacement (children kept in plain arrays do not: use
   * ModuleList).
   */
  setSubmodule(path: string, module: Module): Module {
    const cut = path.lastIndexOf('.');
    const parent = this.getSubmodule(cut < 0 ? '' : path.slice(0, cut));
    const name = path.slice(cut + 1);
    const old = parent.#children.get(name);
    if (old === undefined) {
      throw new MergebenchError(
        `setSubmodule: no submodule '${path}' to replace (children of ${cut < 0 ? 'the root' : `'${path.slice(0, cut)}'`}: ${listNames(parent.#children.keys())})`,
      );
    }
    parent.#children.set(name, module);
    const fields = parent as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (fields[key] === old) fields[key] = module;
    }
    return old;
  }

  /**
   * The parameters and persistent buffers by dotted name. The tensors are the live variables,
   * not copies: read them, but do not dispose them (dispose the module instead).
   */
  stateDict(): StateDict {
    return this.#stateVariables();
  }

  #stateVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const visit = (prefix: string, module: Module): void => {
      for (const [name, variable] of module.#parameters) out.set(joinPath(prefix, name), variable);
      for (const [name, entry] of module.#buffers) {
        if (entry.persistent) out.set(joinPath(prefix, name), entry.variable);
      }
      for (const [name, child] of module.#children) visit(joinPath(prefix, name), child);
    };
    visit('', this);
    return out;
  }

  /**
   * Assigns the values of `stateDict` to the parameters and buffers of the same names, in place
   * and converted to their dtypes. The module shares the data of the given tensors (no copy); the
   * caller still owns them and may dispose them afterwards. Shapes must match in any mode; in
   * strict mode, missing and unexpected keys are errors too. Nothing is assigned when it throws.
   */
  loadStateDict(stateDict: StateDict, { strict = true }: LoadStateDictOptions = {}): LoadStateDictResult {
    const own = this.#stateVariables();
    const missing = [...own.keys()].filter((key) => !stateDict.has(key));
    const unexpected = [...stateDict.keys()].filter((key) => !own.has(key));
    const mismatched: string[] = [];
    for (const [key, variable] of own) {
      const value = stateDict.get(key);
      if (value === undefined) continue;
      check(!value.isDisposed, () => `loadStateDict: the tensor for ${key} has been disposed`);
      if (!sameShape(variable.shape, value.shape)) {
        mismatched.push(
          `${key}: expected ${JSON.stringify(variable.shape)}, got ${JSON.stringify(value.shape)}`,
        );
      }
    }

    const problems: string[] = [];
    if (strict && missing.length > 0) {
      problems.push(`${countOf(missing.length, 'missing key')} (${listNames(missing, SHOWN_IN_ERROR)})`);
    }
    if (strict && unexpected.length > 0) {
      problems.push(
        `${countOf(unexpected.length, 'unexpected key')} (${listNames(unexpected, SHOWN_IN_ERROR)})`,
      );
    }
    if (mismatched.length > 0) {
      const more =
        mismatched.length > SHOWN_IN_ERROR ? `; … (${mismatched.length - SHOWN_IN_ERROR} more)` : '';
      problems.push(`shape mismatch for ${mismatched.slice(0, SHOWN_IN_ERROR).join('; ')}${more}`);
    }
    if (problems.length > 0) throw new MergebenchError(`loadStateDict: ${problems.join(', ')}`);

    tf.tidy(() => {
      for (const [key, variable] of own) {
        const value = stateDict.get(key);
        if (value === undefined) continue;
        variable.assign(value.dtype === variable.dtype ? value : tf.cast(value, variable.dtype));
      }
    });
    return { missing, unexpected };
  }

  /**
   * Freezes (false) or unfreezes (true) every parameter of the subtree. tfjs's variableGrads and
   * optimizers skip Variables whose `trainable` is false, so the flag is flipped in place.
   */
  requiresGrad(flag: boolean): this {
    for (const variable of this.parameters()) variable.trainable = flag;
    return this;
  }

  /** Sets `training` on the whole subtree. */
  train(mode = true): this {
    for (const module of this.namedModules().values()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * The transformer blocks of this subtree that a method may replace. By default, the children's
   * sites with paths made relative to this module; a model architecture overrides it to declare
   * its own.
   */
  sites(): ModelSite[] {
    const out: ModelSite[] = [];
    for (const [name, child] of this.#children) {
      for (const site of child.sites()) out.push({ ...site, path: joinPath(name, site.path) });
    }
    return out;
  }

  /** Disposes every parameter and buffer of the subtree (each shared one once). */
  dispose(): void {
    const variables = new Set<tf.Variable>();
    for (const module of this.namedModules().values()) {
      for (const variable of module.#parameters.values()) variables.add(variable);
      for (const entry of module.#buffers.values()) variables.add(entry.variable);
    }
    for (const variable of variables) {
      if (!variable.isDisposed) variable.dispose();
    }
  }
}
