import { MergebenchError, type SiteKind } from '@mergebench/core';

/** The WEMoE paper's upscaling ablation: the MLPs (its design), attention and MLPs, or whole blocks. */
export const UPSCALE_TARGETS = ['mlp', 'attention+mlp', 'block'] as const;

/** Site kinds by name; `block` is a whole transformer layer (the `layer` site). */
const KIND_NAMES: Readonly<Record<string, SiteKind>> = {
  mlp: 'mlp',
  attention: 'attention',
  layer: 'layer',
  block: 'layer',
};

/**
 * The site kinds an `upscale_target` value names: `+`-separated site kinds (mlp, attention,
 * layer, or block for layer), e.g. `attention+mlp`.
 */
export function upscaleTargetKinds(value: string, key = 'method.upscale_target'): SiteKind[] {
  const kinds = value.split('+').map((part) => part.trim());
  const unknown = kinds.find((kind) => !(kind in KIND_NAMES));
  if (unknown !== undefined || kinds.length === 0) {
    throw new MergebenchError(
      `${key}: unknown site kind '${unknown ?? ''}' in '${value}'; expected site kinds joined by '+' from ${Object.keys(KIND_NAMES).join(', ')} (e.g. ${UPSCALE_TARGETS.join(', ')})`,
    );
  }
  return [...new Set(kinds.map((kind) => KIND_NAMES[kind]!))];
}
