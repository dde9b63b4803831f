/** Opens the folders a merge plan names (headers only), closing them all if one fails. */

import type { MergeModel } from './merge-to-folder.js';
import type { MergePlan } from './mergekit-config.js';
import { locateModelFolder, openFolderWeights } from './model-folder.js';

export async function openMergeModels(
  plan: Pick<MergePlan, 'base' | 'models'>,
  baseDir: string,
): Promise<{ base: MergeModel | undefined; models: MergeModel[]; close: () => Promise<void> }> {
  const opened: MergeModel[] = [];
  const close = async () => {
    await Promise.all(opened.map((m) => m.weights.close().catch(() => {})));
  };
  const open = async (location: string) => {
    const folder = await locateModelFolder(location, baseDir);
    const model = { ...folder, weights: await openFolderWeights(folder) };
    opened.push(model);
    return model;
  };
  try {
    const base = plan.base === undefined ? undefined : await open(plan.base);
    const models: MergeModel[] = [];
    for (const m of plan.models) models.push(await open(m.model));
    return { base, models, close };
  } catch (err) {
    await close();
    throw err;
  }
}
