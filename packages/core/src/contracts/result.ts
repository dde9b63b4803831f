import type { Module } from '../nn/module.js';

/** One model of a family, labelled by the preference vector it was made for. */
export interface FamilyMember {
  readonly label: string;
  readonly preference: readonly number[];
  /** Built on demand so that a family of many models never sits in memory at once. */
  model(): Promise<Module>;
}

/**
 * What a method returns: one merged model, a model upscaled with extra modules (the same
 * contract, but parameter counts differ and it cannot be saved as a plain checkpoint), or a
 * family of models labelled by preference vectors.
 */
export type MethodResult =
  | { readonly kind: 'model'; readonly model: Module; readonly artifacts?: RunArtifacts }
  | { readonly kind: 'upscaled'; readonly model: Module; readonly artifacts?: RunArtifacts }
  | { readonly kind: 'family'; readonly members: readonly FamilyMember[]; readonly artifacts?: RunArtifacts };

/**
 * Method-specific results kept in the report (learned coefficients, loss curves, counts of
 * fall-backs). Plain JSON values only.
 */
export type RunArtifacts = Readonly<Record<string, unknown>>;
