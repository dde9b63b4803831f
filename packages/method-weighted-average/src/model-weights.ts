import { listNames, MergebenchError } from '@mergebench/core';

/** One weight per model in pool order, or weights by model name (every model named once). */
export type ModelWeights = readonly number[] | Readonly<Record<string, number>>;

const WHAT = 'method weighted-average';

function display(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The coefficient of each model, in pool order: the given weights, divided by their sum when
 * `normalize` (in float64, before any tensor is touched). No weights means 1 for every model.
 */
export function resolveModelWeights(
  modelNames: readonly string[],
  weights: ModelWeights | null | undefined,
  normalize: boolean,
): number[] {
  let list: unknown[];
  if (weights === null || weights === undefined) list = modelNames.map(() => 1);
  else if (Array.isArray(weights)) {
    if (weights.length !== modelNames.length) {
      throw new MergebenchError(
        `${WHAT}: weights has ${weights.length} entries for ${modelNames.length} models (${listNames(modelNames)}): one weight per model is needed`,
      );
    }
    list = [...weights];
  } else {
    const byName = weights as Readonly<Record<string, unknown>>;
    const unknown = Object.keys(byName).filter((name) => !modelNames.includes(name));
    if (unknown.length > 0) {
      throw new MergebenchError(
        `${WHAT}: weights names unknown model '${unknown[0]}'; models: ${listNames(modelNames)}`,
      );
    }
    const missing = modelNames.find((name) => !Object.hasOwn(byName, name));
    if (missing !== undefined)
      throw new MergebenchError(`${WHAT}: weights has no weight for model '${missing}'`);
    list = modelNames.map((name) => byName[name]);
  }
  list.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new MergebenchError(
        `${WHAT}: the weight of model '${modelNames[i]}' is ${display(w)}; expected a non-negative number`,
      );
    }
  });
  const values = list as number[];
  if (!normalize) return values;
  const total = values.reduce((sum, w) => sum + w, 0);
  if (total === 0) {
    throw new MergebenchError(
      `${WHAT}: the weights sum to 0 and cannot be normalized; give a model a positive weight or set normalize to false`,
    );
  }
  return values.map((w) => w / total);
}
