// Core's registry of tensor backends, as tfjs keeps one of its own: each backend registers itself
// (a name, a priority, a probe), and `auto` tries them by priority. Core names no backend package:
// packages are found by their `mergebench-backend` keyword (see discover.ts) or imported by the
// user, and register what they provide.

/** What a backend's probe found: it can run (on which device), or why it cannot. */
export type BackendProbeResult =
  | {
      readonly ok: true;
      /** The device it computes on, for the report (webgpu: its adapter). */
      readonly device?: string;
      /** Why `auto` should pass it over although it runs (e.g. a software GPU adapter, slower than the CPU). */
      readonly autoSkip?: string;
    }
  | { readonly ok: false; readonly reason: string };

export interface BackendProbeContext {
  /** True while `auto` is choosing: the probe may decline cheaply (autoSkip) without loading everything. */
  readonly auto: boolean;
  /** Lines for the verbose log (e.g. what a native library printed while probing). */
  readonly debug: (line: string) => void;
}

/** A tensor backend as mergebench selects it (`--backend <name>`). */
export interface MergebenchBackend {
  /** The name `--backend` and MERGEBENCH_BACKEND take. */
  readonly name: string;
  /** The name it registers with tfjs (`tf.setBackend`), when not `name`. */
  readonly tfjsName?: string;
  /** `auto` tries higher priorities first (tfjs's own: cpu 1, wasm 2, tfjs-node 3). */
  readonly priority: number;
  /**
   * Says whether the backend can run here and why not, and when it can, leaves it registered
   * with tfjs ready for `tf.setBackend`. May throw instead of returning `ok: false`.
   */
  probe(context: BackendProbeContext): Promise<BackendProbeResult>;
}

/** Identity helper that gives a backend object its type (a package's `mergebench-backend` entry). */
export function defineBackend(backend: MergebenchBackend): MergebenchBackend {
  return backend;
}

// Kept on globalThis so that two copies of core in one process (a bundle beside node_modules)
// share one registry.
const KEY = Symbol.for('mergebench.backends');
const store = globalThis as { [KEY]?: Map<string, MergebenchBackend> };
store[KEY] ??= new Map();
const backends: Map<string, MergebenchBackend> = store[KEY];

function isBackend(value: unknown): value is MergebenchBackend {
  const b = value as Partial<MergebenchBackend> | undefined;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.name === 'string' &&
    typeof b.priority === 'number' &&
    typeof b.probe === 'function'
  );
}

/** Registers a backend (a later registration of the same name replaces the earlier one). */
export function registerBackend(backend: MergebenchBackend): void {
  if (!isBackend(backend))
    throw new TypeError('registerBackend: expected { name, priority, probe(context) }');
  backends.set(backend.name, backend);
}

/** Registers what a backend package's entry default-exports: one backend or several. */
export function registerBackendExport(value: unknown, source: string): void {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every(isBackend))
    throw new Error(`${source} does not default-export a mergebench backend ({ name, priority, probe })`);
  for (const backend of list) registerBackend(backend);
}

/** Removes a backend (tests). */
export function removeBackend(name: string): boolean {
  return backends.delete(name);
}

export function findBackend(name: string): MergebenchBackend | undefined {
  return backends.get(name);
}

/** Every registered backend, highest priority first (the order `auto` tries them in). */
export function registeredBackends(): MergebenchBackend[] {
  return [...backends.values()].sort((a, b) => b.priority - a.priority);
}
