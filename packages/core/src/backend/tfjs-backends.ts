// TensorFlow.js's own backends, which know nothing of mergebench, registered by core on their
// behalf: core's dependencies (wasm, and tfjs-node / tfjs-node-gpu as optional ones) and the cpu
// backend inside tfjs. Backend packages written for mergebench register themselves.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BackendProbeResult, defineBackend, type MergebenchBackend } from './registry.js';

async function importOptional(specifier: string): Promise<BackendProbeResult> {
  // A variable specifier keeps bundlers and the type checker from requiring optional packages.
  const name = specifier;
  await import(name);
  return { ok: true };
}

/**
 * tfjs-node registers its kernels before it discovers that its binary is missing, so importing a
 * broken install pollutes the kernel registry (and warns about every kernel on the next try).
 * Look for the binary first.
 */
async function importNativeTensorflow(pkg: string): Promise<BackendProbeResult> {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    return { ok: false, reason: 'not installed' };
  }
  const lib = path.join(dir, 'lib');
  const hasBinary =
    existsSync(lib) &&
    readdirSync(lib).some(
      (d) => d.startsWith('napi-v') && existsSync(path.join(lib, d, 'tfjs_binding.node')),
    );
  if (!hasBinary) return { ok: false, reason: 'native binary missing' };
  return importOptional(pkg);
}

/** Priorities as tfjs gives them (cpu 1, wasm 2, tfjs-node 3), with native TensorFlow on CUDA above any other GPU. */
export const TFJS_BACKENDS: readonly MergebenchBackend[] = [
  // Both native TensorFlow packages register themselves with tfjs as 'tensorflow'.
  defineBackend({
    name: 'tfjs-node-gpu',
    tfjsName: 'tensorflow',
    priority: 5,
    probe: () => importNativeTensorflow('@tensorflow/tfjs-node-gpu'),
  }),
  defineBackend({
    name: 'tfjs-node',
    tfjsName: 'tensorflow',
    priority: 3,
    probe: () => importNativeTensorflow('@tensorflow/tfjs-node'),
  }),
  defineBackend({ name: 'wasm', priority: 2, probe: () => importOptional('@tensorflow/tfjs-backend-wasm') }),
  defineBackend({ name: 'cpu', priority: 1, probe: async () => ({ ok: true }) }),
];
