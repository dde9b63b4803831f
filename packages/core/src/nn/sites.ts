import { check } from '../errors.js';
import type { Module } from './module.js';

/** The kinds of transformer blocks a merge method can find and replace. */
export type SiteKind = 'mlp' | 'attention' | 'layer';

/**
 * A replaceable block of a model: the child at `path` maps hidden states [B, N, D] to [B, N, D],
 * and it is the `kind` block of transformer layer `layer`.
 */
export interface ModelSite {
  readonly kind: SiteKind;
  /** Dotted path from the model root, usable with getSubmodule/setSubmodule. */
  readonly path: string;
  readonly layer: number;
}

/** The sites of `model` of the given kind, in model order; throws if it declares none. */
export function findSites(model: Module, kind: SiteKind): ModelSite[] {
  const all = model.sites();
  const found = all.filter((site) => site.kind === kind);
  check(
    found.length > 0,
    () =>
      `findSites: ${model.constructor.name} declares no '${kind}' sites` +
      (all.length > 0 ? ` (it has: ${[...new Set(all.map((s) => s.kind))].join(', ')})` : ''),
  );
  return found;
}
