import { statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { builtinPlugin } from '../builtin/plugin.js';
import { resolvePresets } from '../config/presets.js';
import { validateParams } from '../config/validate.js';
import { COMPONENT_KINDS, type ComponentKind } from '../contracts/component.js';
import { MergebenchError } from '../errors.js';
import {
  ComponentRegistry,
  ensureComponent,
  loadInstalledPlugins,
  registerPlugin,
} from '../plugins/index.js';
import { type HubRepoType, looksLikeHubId } from './cache.js';
import { DEFAULT_INCLUDE, type DownloadRequest } from './download.js';

export interface DownloadTargetOptions {
  /** Where `configs/<kind>/<name>.yaml` and installed plugins are looked for. */
  readonly cwd: string;
  /** For bare repo ids: `--repo-type` (default model) and `--revision` (default main). */
  readonly type?: HubRepoType;
  readonly revision?: string;
  /** `--include`: the files of a bare repo id; for a preset, a filter on the files it names. */
  readonly include?: readonly string[];
  /** A registry with plugins already registered (tests, embedding); built-ins are added. */
  readonly registry?: ComponentRegistry;
}

/**
 * Splits the command's words into names and `param=value` settings. A setting applies to every
 * named preset whose component declares the parameter (`download_train=true` fetches a task
 * pool's train splits too); one that no named preset declares is an error.
 */
export function splitDownloadArgs(words: readonly string[]): {
  names: string[];
  settings: Record<string, unknown>;
} {
  const names: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      names.push(word);
      continue;
    }
    const key = word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new MergebenchError(
        `download: '${word}': expected param=value with a parameter name, e.g. download_train=true`,
      );
    try {
      settings[key] = parseYaml(word.slice(eq + 1));
    } catch {
      settings[key] = word.slice(eq + 1);
    }
  }
  return { names, settings };
}

/** Kinds that have a preset `name`: in the plugins' preset folders or in `<cwd>/configs/<kind>/`. */
function presetKinds(registry: ComponentRegistry, name: string, cwd: string): ComponentKind[] {
  const inCwd = (kind: ComponentKind) =>
    ['.yaml', '.yml'].some((ext) =>
      statSync(path.join(cwd, 'configs', kind, name + ext), { throwIfNoEntry: false })?.isFile(),
    );
  return COMPONENT_KINDS.filter((kind) => registry.findPreset(kind, name) !== undefined || inCwd(kind));
}

/** A preset's downloads: its values validated against its component, then `downloads(params)`. */
async function presetDownloads(
  registry: ComponentRegistry,
  kind: ComponentKind,
  preset: string,
  options: DownloadTargetOptions,
  settings: Record<string, unknown>,
  used: Set<string>,
): Promise<DownloadRequest[] | undefined> {
  const resolver = (k: ComponentKind, n: string) => registry.findPreset(k, n);
  const { name, ...presetValues } = resolvePresets({ [kind]: preset }, resolver, [options.cwd])[kind] as {
    name: string;
  } & Record<string, unknown>;
  const { component } = await ensureComponent(registry, kind, name, options.cwd);
  const downloads = component.info.downloads;
  if (!downloads) return undefined;
  const values = { ...presetValues };
  for (const [key, value] of Object.entries(settings)) {
    if (!component.info.params.some((p) => p.name === key)) continue;
    values[key] = value;
    used.add(key);
  }
  let params: ReturnType<typeof validateParams>;
  try {
    params = validateParams(kind, values, component.info.params);
  } catch (error) {
    if (!(error instanceof MergebenchError)) throw error;
    const file =
      registry.findPreset(kind, preset)?.file ?? path.join(options.cwd, 'configs', kind, `${preset}.yaml`);
    throw new MergebenchError(`preset ${file}: ${error.message}`);
  }
  return downloads(params).map((d) => ({ ...d, ...(options.include ? { only: options.include } : {}) }));
}

/**
 * What `mergebench download <name>…` fetches. A name is first a preset of any kind (model pool,
 * task pool, method) whose component declares `downloads`; FusionBench-style preset names may
 * contain a slash, so presets win over repo ids. Otherwise an `owner/name` (or `owner/name@rev`)
 * repo id. Anything else is an error naming both readings.
 */
export async function resolveDownloadTargets(
  words: readonly string[],
  options: DownloadTargetOptions,
): Promise<DownloadRequest[]> {
  const { names, settings } = splitDownloadArgs(words);
  const used = new Set<string>();
  const registry = options.registry ?? new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  let loadedAll = false;
  const requests: DownloadRequest[] = [];
  for (const name of names) {
    let kinds = presetKinds(registry, name, options.cwd);
    if (kinds.length === 0 && !loadedAll) {
      // Presets come with plugins; load the installed ones once, when a name is not found yet.
      await loadInstalledPlugins(registry, options.cwd);
      loadedAll = true;
      kinds = presetKinds(registry, name, options.cwd);
    }
    if (kinds.length > 0) {
      const found: DownloadRequest[] = [];
      const without: string[] = [];
      for (const kind of kinds) {
        const downloads = await presetDownloads(registry, kind, name, options, settings, used);
        if (downloads) found.push(...downloads);
        else without.push(kind);
      }
      if (found.length === 0 && without.length > 0)
        throw new MergebenchError(
          `${name}: the ${without.join(' and ')} preset's component declares no Hub downloads; nothing to fetch (give a repo id owner/name instead)`,
        );
      requests.push(...found);
      continue;
    }
    const [id, atRevision] = name.split('@', 2);
    if (!looksLikeHubId(id)) {
      throw new MergebenchError(
        `'${name}': neither a preset of an installed plugin (configs/<method|modelpool|taskpool>/${name}.yaml) nor a Hub repo id owner/name`,
      );
    }
    const revision = atRevision || options.revision;
    requests.push({
      repo: { id, type: options.type ?? 'model', ...(revision ? { revision } : {}) },
      ...(options.include ? { include: options.include } : {}),
    });
  }
  const unused = Object.keys(settings).filter((key) => !used.has(key));
  if (unused.length > 0)
    throw new MergebenchError(
      `download: ${unused.map((k) => `'${k}'`).join(', ')}: no named preset's component has such a parameter`,
    );
  return mergeRequests(requests);
}

/** One request per repo and revision: their patterns united (a repo named twice is fetched once). */
function mergeRequests(requests: readonly DownloadRequest[]): DownloadRequest[] {
  const merged = new Map<string, DownloadRequest>();
  for (const request of requests) {
    const { repo } = request;
    const key = JSON.stringify([repo.type, repo.id, repo.revision ?? 'main', request.only ?? null]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, request);
    else if (seen.include || request.include) {
      const patterns = (r: DownloadRequest) => r.include ?? DEFAULT_INCLUDE[repo.type];
      merged.set(key, { ...seen, include: [...new Set([...patterns(seen), ...patterns(request)])] });
    }
  }
  return [...merged.values()];
}
