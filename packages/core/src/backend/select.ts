import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../contracts/logger.js';
import { listNames, MergebenchError } from '../errors.js';

/**
 * Backends in the order `auto` tries them: a GPU first (CUDA through native TensorFlow, then
 * WebGPU through Dawn, which `auto` passes over when its only adapter is a software one), then
 * native TensorFlow on the CPU, our OpenBLAS backend, wasm, and pure JavaScript last.
 */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  readonly name: BackendName;
  /** Why earlier candidates were passed over, e.g. `tfjs-node: native binary missing`. */
  readonly note?: string;
  /** The device it computes on, where the backend package says (webgpu: its adapter). */
  readonly device?: string;
}

/**
 * What a backend package may export as `backendInfo`: the device it runs on, and why `auto`
 * should pass it over although it loads (e.g. a software GPU adapter, slower than the CPU).
 */
export interface BackendPackageInfo {
  readonly device?: string;
  readonly autoSkip?: string;
}

interface Candidate {
  /** Makes the backend registered with tfjs (imports its package); throws if unavailable. */
  load(): Promise<BackendPackageInfo | undefined>;
  /** The name tfjs registers it under. */
  readonly tfName: string;
}

const CANDIDATES: Record<BackendName, Candidate> = {
  // Both native TensorFlow packages register themselves as 'tensorflow'.
  'tfjs-node-gpu': { tfName: 'tensorflow', load: () => importNativeTensorflow('@tensorflow/tfjs-node-gpu') },
  'tfjs-node': { tfName: 'tensorflow', load: () => importNativeTensorflow('@tensorflow/tfjs-node') },
  webgpu: { tfName: 'webgpu', load: () => importFromCoreOrProject('@mergebench/backend-webgpu') },
  native: { tfName: 'native', load: () => importFromCoreOrProject('@mergebench/backend-native') },
  wasm: { tfName: 'wasm', load: () => importOptional('@tensorflow/tfjs-backend-wasm') },
  cpu: { tfName: 'cpu', load: async () => undefined },
};

async function importOptional(specifier: string): Promise<BackendPackageInfo | undefined> {
  // A variable specifier keeps bundlers and the type checker from requiring optional packages.
  const name = specifier;
  return packageInfo(await import(name));
}

function packageInfo(module: unknown): BackendPackageInfo | undefined {
  const info = (module as { backendInfo?: unknown } | undefined)?.backendInfo;
  return typeof info === 'object' && info !== null ? (info as BackendPackageInfo) : undefined;
}

/**
 * Imports a package from core's own dependencies or, failing that, from the project the process
 * runs in (its working directory up): under pnpm's strict layout a package the user installed
 * beside core is not visible from core's folder. Errors the package itself throws pass through.
 */
async function importFromCoreOrProject(specifier: string): Promise<BackendPackageInfo | undefined> {
  try {
    return await importOptional(specifier);
  } catch (e) {
    const notFound =
      (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(e).includes(specifier);
    if (!notFound) throw e;
  }
  let manifestPath: string;
  try {
    manifestPath = createRequire(path.join(process.cwd(), 'index.js')).resolve(`${specifier}/package.json`);
  } catch {
    throw new Error(`Cannot find package '${specifier}'`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: { '.'?: { import?: string; default?: string } };
    main?: string;
  };
  const entry =
    manifest.exports?.['.']?.import ?? manifest.exports?.['.']?.default ?? manifest.main ?? 'index.js';
  return packageInfo(await import(pathToFileURL(path.join(path.dirname(manifestPath), entry)).href));
}

/**
 * tfjs-node registers its kernels before it discovers that its binary is missing, so importing a
 * broken install pollutes the kernel registry (and warns about every kernel on the next try).
 * Look for the binary first.
 */
async function importNativeTensorflow(pkg: string): Promise<BackendPackageInfo | undefined> {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new Error('Cannot find package');
  }
  const lib = path.join(dir, 'lib');
  const hasBinary =
    existsSync(lib) &&
    readdirSync(lib).some(
      (d) => d.startsWith('napi-v') && existsSync(path.join(lib, d, 'tfjs_binding.node')),
    );
  if (!hasBinary) throw new Error('tfjs_binding.node is missing');
  return importOptional(pkg);
}

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (package|module)/.test(msg)) return 'not installed';
  if (/tfjs_binding\.node/.test(msg)) return 'native binary missing';
  return msg.split('\n')[0].slice(0, 240);
}

/** Thrown by `tryBackend` when `auto` passes over a backend that loads (its package says why). */
class AutoSkip extends Error {}

async function tryBackend(name: BackendName, auto: boolean): Promise<BackendPackageInfo | undefined> {
  const candidate = CANDIDATES[name];
  // PROD silences tfjs's console nags (e.g. "install the node backend"): the choice is logged here.
  tf.env().set('PROD', true);
  const info = await candidate.load();
  if (auto && info?.autoSkip) throw new AutoSkip(info.autoSkip);
  if (!(await tf.setBackend(candidate.tfName)))
    throw new Error(`tfjs could not initialise '${candidate.tfName}'`);
  await tf.ready();
  return info;
}

function choice(
  name: BackendName,
  note: string | undefined,
  info: BackendPackageInfo | undefined,
): BackendChoice {
  return { name, ...(note ? { note } : {}), ...(info?.device ? { device: info.device } : {}) };
}

/** Why-not notes already logged in this process: a suite of runs says it once. */
const explained = new Set<string>();

/**
 * Selects the tensor backend once per process: the forced one (`--backend`, MERGEBENCH_BACKEND)
 * or the first that loads. Why faster backends were skipped is logged once.
 */
export async function selectBackend(
  requested: string = process.env.MERGEBENCH_BACKEND ?? 'auto',
  logger?: Logger,
): Promise<BackendChoice> {
  if (requested !== 'auto') {
    if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
      throw new MergebenchError(
        `backend: expected auto or one of ${listNames(BACKEND_NAMES)}, got '${requested}'`,
      );
    }
    let info: BackendPackageInfo | undefined;
    try {
      info = await tryBackend(requested as BackendName, false);
    } catch (e) {
      throw new MergebenchError(`backend '${requested}' is not available: ${shortReason(e)}`);
    }
    return choice(requested as BackendName, undefined, info);
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      const info = await tryBackend(name, true);
      const note = skipped.length > 0 ? skipped.join('; ') : undefined;
      if (note && !explained.has(note)) {
        explained.add(note);
        logger?.info(`backend: using ${name}${info?.device ? ` on ${info.device}` : ''} (${note})`);
      }
      return choice(name, note, info);
    } catch (e) {
      skipped.push(`${name}: ${shortReason(e)}`);
    }
  }
  throw new MergebenchError(`no tensor backend could start (${skipped.join('; ')})`);
}
