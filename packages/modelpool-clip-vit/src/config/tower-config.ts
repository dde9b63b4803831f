import { type HfConfig, MergebenchError } from '@mergebench/core';

/** The `model_type` of a full CLIP checkpoint (CLIPModel), which nests one config per tower. */
const CLIP_MODEL_TYPE = 'clip';

/** The projection width a CLIPModel config gives both towers, when it leaves it out. */
const DEFAULT_PROJECTION_DIM = 512;

/**
 * The settings of one tower from a folder's config.json: the config itself for a single-tower
 * model (`model_type` = `towerType`), or the nested `<tower>_config` of a CLIPModel, whose
 * projections take the top-level `projection_dim` as CLIPModel builds them.
 */
export function towerSettings(hf: HfConfig, towerType: string, nestedKey: string, origin: string): HfConfig {
  if (hf.model_type === towerType) return hf;
  if (hf.model_type === CLIP_MODEL_TYPE) {
    const nested = hf[nestedKey] ?? {};
    if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) {
      throw new MergebenchError(`${origin}: ${nestedKey} is ${JSON.stringify(nested)}, expected an object`);
    }
    return { ...(nested as HfConfig), projection_dim: hf.projection_dim ?? DEFAULT_PROJECTION_DIM };
  }
  throw new MergebenchError(
    `${origin}: model_type is ${JSON.stringify(hf.model_type)}, expected "${towerType}" or "${CLIP_MODEL_TYPE}"`,
  );
}
