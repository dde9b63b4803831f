import {
  disposeStateDict,
  MergebenchError,
  type Module,
  readStateDict,
  type StateDict,
  type TensorSource,
} from '@mergebench/core';

/**
 * Reads every tensor of `source` into `model` with core's strict checks (missing, unexpected and
 * mis-shaped keys, the first few of each listed), naming the source in the error. On failure the
 * model is disposed.
 */
export async function loadWeightsInto<M extends Module>(model: M, source: TensorSource): Promise<M> {
  let state: StateDict | undefined;
  try {
    state = await readStateDict(source);
    model.loadStateDict(state);
    return model;
  } catch (err) {
    model.dispose();
    if (err instanceof MergebenchError) throw new MergebenchError(`${source.origin}: ${err.message}`);
    throw err;
  } finally {
    if (state) disposeStateDict(state);
  }
}
