/** The two towers of a CLIP checkpoint. */
export type ClipTower = 'vision' | 'text';

const TOWER_PREFIXES: Readonly<Record<ClipTower, readonly string[]>> = {
  vision: ['vision_model.', 'visual_projection.'],
  text: ['text_model.', 'text_projection.'],
};

/** What a CLIPModel holds besides its towers: the log temperature of its contrastive loss. */
const SHARED_KEYS: readonly string[] = ['logit_scale'];

/** Position ids that transformers used to save and now derives (arange): never read. */
const DERIVED_BUFFER = /^(vision|text)_model\.embeddings\.position_ids$/;

export interface TowerKeys {
  /** The keys the tower's model is loaded from, plus any key no rule covers (loading then rejects it). */
  readonly own: string[];
  /** Keys left out by rule: the other tower, logit_scale, derived position ids. */
  readonly setAside: string[];
}

function otherTower(tower: ClipTower): ClipTower {
  return tower === 'vision' ? 'text' : 'vision';
}

/**
 * Splits a CLIP checkpoint's keys for one tower. A full CLIPModel checkpoint loads into either
 * tower this way; keys that belong to no tower and no rule stay with the tower, so that a strict
 * load lists them as unexpected instead of dropping them unseen.
 */
export function splitTowerKeys(keys: readonly string[], tower: ClipTower): TowerKeys {
  const ofTower = (key: string, t: ClipTower) => TOWER_PREFIXES[t].some((prefix) => key.startsWith(prefix));
  const own: string[] = [];
  const setAside: string[] = [];
  for (const key of keys) {
    const leftOut = DERIVED_BUFFER.test(key) || SHARED_KEYS.includes(key) || ofTower(key, otherTower(tower));
    (leftOut ? setAside : own).push(key);
  }
  return { own, setAside };
}

/** What was set aside, for a log line: `summary` reads e.g. `text tower (120 tensors), logit_scale`. */
export function describeSetAside(
  setAside: readonly string[],
  tower: ClipTower,
): { readonly summary: string; readonly otherTowerTensors: number } {
  const other = otherTower(tower);
  const otherTowerTensors = setAside.filter((key) =>
    TOWER_PREFIXES[other].some((prefix) => key.startsWith(prefix)),
  ).length;
  const parts = [
    otherTowerTensors > 0 ? `${other} tower (${otherTowerTensors} tensors)` : '',
    ...setAside.filter((key) => SHARED_KEYS.includes(key)),
    setAside.some((key) => DERIVED_BUFFER.test(key)) ? 'saved position_ids' : '',
  ];
  return { summary: parts.filter(Boolean).join(', '), otherTowerTensors };
}
