import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../contracts/logger.js';
import { listNames, MergebenchError } from '../errors.js';

/** Backends in the order `auto` tries them: native TensorFlow first, pure JavaScript last. */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  readonly name: BackendName;
  /** Why earlier candidates were passed over, e.g. `tfjs-node: native binary missing`. */
  readonly note?: string;
}

interface Candidate {
  /** Makes the backend registered with tfjs (imports its package); throws if unavailable. */
  load(): Promise<void>;
  /** The name tfjs registers it under. */
  readonly tfName: string;
}

const CANDIDATES: Record<BackendName, Candidate> = {
  // Both native TensorFlow packages register themselves as 'tensorflow'.
  'tfjs-node-gpu': { tfName: 'tensorflow', load: () => importNativeTensorflow('@tensorflow/tfjs-node-gpu') },
  'tfjs-node': { tfName: 'tensorflow', load: () => importNativeTensorflow('@tensorflow/tfjs-node') },
  native: { tfName: 'native', load: () => importFromCoreOrProject('@mergebench/backend-native') },
  wasm: { tfName: 'wasm', load: () => importOptional('@tensorflow/tfjs-backend-wasm') },
  cpu: { tfName: 'cpu', load: async () => {} },
};

async function importOptional(specifier: string): Promise<void> {
  // A variable specifier keeps bundlers and the type checker from requiring optional packages.
  const name = specifier;
  await import(name);
}

/**
 * Imports a package from core's own dependencies or, failing that, from the project the process
 * runs in (its working directory up): under pnpm's strict layout a package the user installed
 * beside core is not visible from core's folder. Errors the package itself throws pass through.
 */
async function importFromCoreOrProject(specifier: string): Promise<void> {
  try {
    await importOptional(specifier);
    return;
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
  await import(pathToFileURL(path.join(path.dirname(manifestPath), entry)).href);
}

/**
 * tfjs-node registers its kernels before it discovers that its binary is missing, so importing a
 * broken install pollutes the kernel registry (and warns about every kernel on the next try).
 * Look for the binary first.
 */
async function importNativeTensorflow(pkg: string): Promise<void> {
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
  await importOptional(pkg);
}

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (package|module)/.test(msg)) return 'not installed';
  if (/tfjs_binding\.node/.test(msg)) return 'native binary missing';
  return msg.split('\n')[0].slice(0, 120);
}

async function tryBackend(name: BackendName): Promise<void> {
  const candidate = CANDIDATES[name];
  // PROD silences tfjs's console nags (e.g. "install the node backend"): the choice is logged here.
  tf.env().set('PROD', true);
  await candidate.load();
  if (!(await tf.setBackend(candidate.tfName)))
    throw new Error(`tfjs could not initialise '${candidate.tfName}'`);
  await tf.ready();
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
    try {
      await tryBackend(requested as BackendName);
    } catch (e) {
      throw new MergebenchError(`backend '${requested}' is not available: ${shortReason(e)}`);
    }
    return { name: requested as BackendName };
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await tryBackend(name);
      const note = skipped.length > 0 ? skipped.join('; ') : undefined;
      if (note && !explained.has(note)) {
        explained.add(note);
        logger?.info(`backend: using ${name} (${note})`);
      }
      return note ? { name, note } : { name };
    } catch (e) {
      skipped.push(`${name}: ${shortReason(e)}`);
    }
  }
  throw new MergebenchError(`no tensor backend could start (${skipped.join('; ')})`);
}
