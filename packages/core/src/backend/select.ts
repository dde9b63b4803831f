import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../contracts/logger.js';
import { listNames, MergebenchError } from '../errors.js';
import { type BackendPackageFailure, loadBackendPackages } from './discover.js';
import {
  type BackendProbeResult,
  findBackend,
  type MergebenchBackend,
  registerBackend,
  registeredBackends,
} from './registry.js';
import { TFJS_BACKENDS } from './tfjs-backends.js';

export * from './discover.js';
export * from './registry.js';

for (const backend of TFJS_BACKENDS) if (!findBackend(backend.name)) registerBackend(backend);

/** A backend's name (`--backend`); any registered one. */
export type BackendName = string;

export interface BackendChoice {
  readonly name: BackendName;
  /** Why earlier candidates were passed over, e.g. `tfjs-node: native binary missing`. */
  readonly note?: string;
  /** The device it computes on, where the backend says (webgpu: its adapter). */
  readonly device?: string;
}

/** The names of the installed backends (found from `cwd`), in the order `auto` tries them. */
export async function backendNames(cwd: string = process.cwd()): Promise<string[]> {
  await loadBackendPackages(cwd);
  return registeredBackends().map((b) => b.name);
}

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (package|module)/.test(msg)) return 'not installed';
  if (/tfjs_binding\.node/.test(msg)) return 'native binary missing';
  return msg.split('\n')[0].slice(0, 240);
}

/** Thrown by `tryBackend` when `auto` passes over a backend that runs (its probe says why). */
class AutoSkip extends Error {}

async function tryBackend(
  backend: MergebenchBackend,
  auto: boolean,
  logger: Logger | undefined,
): Promise<BackendProbeResult & { ok: true }> {
  // PROD silences tfjs's console nags (e.g. "install the node backend"): the choice is logged here.
  tf.env().set('PROD', true);
  const result = await backend.probe({
    auto,
    debug: (line) => logger?.debug(`backend ${backend.name}: ${line}`),
  });
  if (!result.ok) throw new Error(result.reason);
  if (auto && result.autoSkip) throw new AutoSkip(result.autoSkip);
  const tfjsName = backend.tfjsName ?? backend.name;
  if (!(await tf.setBackend(tfjsName))) throw new Error(`tfjs could not initialise '${tfjsName}'`);
  await tf.ready();
  return result;
}

function choice(name: string, note: string | undefined, device: string | undefined): BackendChoice {
  return { name, ...(note ? { note } : {}), ...(device ? { device } : {}) };
}

function brokenPackages(failures: BackendPackageFailure[]): string {
  return failures.length > 0
    ? `; could not load ${failures.map((f) => `${f.spec} (${f.error})`).join(', ')}`
    : '';
}

/** Why-not notes already logged in this process: a suite of runs says it once. */
const explained = new Set<string>();

/**
 * Selects the tensor backend once per process: the forced one (`--backend`, MERGEBENCH_BACKEND)
 * or, for `auto`, the registered backend of highest priority whose probe says it runs. Why
 * faster backends were passed over is logged once.
 */
export async function selectBackend(
  requested: string = process.env.MERGEBENCH_BACKEND ?? 'auto',
  logger?: Logger,
): Promise<BackendChoice> {
  const failures = await loadBackendPackages(process.cwd());
  const candidates = registeredBackends();
  if (requested !== 'auto') {
    const backend = findBackend(requested);
    if (!backend) {
      throw new MergebenchError(
        `backend: expected auto or one of ${listNames(candidates.map((b) => b.name))}, got '${requested}'${brokenPackages(failures)}`,
      );
    }
    try {
      const result = await tryBackend(backend, false, logger);
      return choice(backend.name, undefined, result.device);
    } catch (e) {
      throw new MergebenchError(`backend '${requested}' is not available: ${shortReason(e)}`);
    }
  }
  const skipped: string[] = [];
  for (const backend of candidates) {
    try {
      const result = await tryBackend(backend, true, logger);
      const note = skipped.length > 0 ? skipped.join('; ') : undefined;
      if (note && !explained.has(note)) {
        explained.add(note);
        logger?.info(
          `backend: using ${backend.name}${result.device ? ` on ${result.device}` : ''} (${note})`,
        );
      }
      return choice(backend.name, note, result.device);
    } catch (e) {
      skipped.push(`${backend.name}: ${shortReason(e)}`);
    }
  }
  throw new MergebenchError(
    `no tensor backend could start (${skipped.join('; ')}${brokenPackages(failures)})`,
  );
}
