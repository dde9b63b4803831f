import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { parse } from 'yaml';

export const CARD_FILE = 'README.md';

/** One feature of a split as the card declares it (`dtype: image`, `dtype: int64`, `class_label`, …). */
export interface CardFeature {
  readonly name: string;
  /** `image`, `bool`, `int64`, `class_label`, … (`struct`/`unknown` for anything nested). */
  readonly dtype: string;
  /** For `class_label`: the names in label order. */
  readonly classNames?: readonly string[];
}

/** The `data_files` of a config: split name → glob patterns relative to the repository root. */
export type DataFiles = ReadonlyMap<string, readonly string[]>;

/** What the YAML front matter of a dataset card says about one config. */
export interface DatasetCard {
  readonly file: string;
  /** Features of the config, empty when the card has no `dataset_info` for it. */
  readonly features: readonly CardFeature[];
  /** Split names the card lists under `dataset_info.splits`. */
  readonly splits: readonly string[];
  /** `configs[].data_files` of the config, when the card has them. */
  readonly dataFiles?: DataFiles;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The YAML between the leading `---` lines of a card, or undefined when it has none. */
export function frontMatter(text: string): string | undefined {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(text);
  return match?.[1];
}

/** `class_label.names` is written as a mapping `{0: name}` (keys may be quoted) or, in older cards, a list. */
function classNames(names: unknown, where: string): string[] {
  if (Array.isArray(names)) return names.map(String);
  if (!isObj(names))
    throw new MergebenchError(`${where}: class_label.names must be a mapping of ids to names`);
  const entries = Object.entries(names).map(([k, v]) => [Number(k), String(v)] as const);
  entries.sort((a, b) => a[0] - b[0]);
  entries.forEach(([id], i) => {
    if (id !== i)
      throw new MergebenchError(
        `${where}: class_label.names ids must be 0..n-1, found ${id} at position ${i}`,
      );
  });
  return entries.map(([, name]) => name);
}

function feature(raw: unknown, where: string): CardFeature | undefined {
  if (!isObj(raw) || typeof raw.name !== 'string') return undefined;
  const dtype = raw.dtype;
  if (typeof dtype === 'string') return { name: raw.name, dtype };
  if (isObj(dtype) && isObj(dtype.class_label)) {
    return {
      name: raw.name,
      dtype: 'class_label',
      classNames: classNames(dtype.class_label.names, `${where} feature '${raw.name}'`),
    };
  }
  return { name: raw.name, dtype: isObj(dtype) ? 'struct' : 'unknown' };
}

function dataFiles(configs: unknown, config: string): DataFiles | undefined {
  if (!Array.isArray(configs)) return undefined;
  const entry = configs.find((c) => isObj(c) && (c.config_name ?? 'default') === config);
  if (!isObj(entry) || !Array.isArray(entry.data_files)) return undefined;
  const out = new Map<string, string[]>();
  for (const item of entry.data_files) {
    if (!isObj(item) || typeof item.split !== 'string') continue;
    const paths = Array.isArray(item.path) ? item.path.map(String) : [String(item.path)];
    out.set(item.split, paths);
  }
  return out;
}

/** Parses a card's front matter for `config` (`default` when the repository has one config). */
export function parseDatasetCard(text: string, file: string, config = 'default'): DatasetCard {
  const yamlText = frontMatter(text);
  if (yamlText === undefined) return { file, features: [], splits: [] };
  let meta: unknown;
  try {
    meta = parse(yamlText);
  } catch (error) {
    throw new MergebenchError(
      `${file}: invalid YAML front matter: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (!isObj(meta)) return { file, features: [], splits: [] };
  const infos = Array.isArray(meta.dataset_info) ? meta.dataset_info : [meta.dataset_info];
  const info =
    infos.find((i) => isObj(i) && (i.config_name ?? 'default') === config) ??
    (infos.length === 1 && isObj(infos[0]) && infos[0].config_name === undefined ? infos[0] : undefined);
  const where = `${file} (dataset_info of config '${config}')`;
  const features = isObj(info) && Array.isArray(info.features) ? info.features : [];
  const splits = isObj(info) && Array.isArray(info.splits) ? info.splits : [];
  return {
    file,
    features: features.map((f) => feature(f, where)).filter((f): f is CardFeature => f !== undefined),
    splits: splits.filter(isObj).map((s) => String(s.name)),
    dataFiles: dataFiles(meta.configs, config),
  };
}

/** Reads `<root>/README.md`; a repository without one gives an empty card. */
export async function readDatasetCard(root: string, config?: string): Promise<DatasetCard> {
  const file = join(root, CARD_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? { file, features: [], splits: [] } : parseDatasetCard(text, file, config);
}
