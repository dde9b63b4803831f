// `node probe-adapter.js`: asks Dawn for the adapter the backend would use and prints what it is
// as one JSON line ({ adapter } or { error }) on stdout. Core's `auto` runs it in a child process
// (see mergebench-backend.ts), so that what Dawn prints while it enumerates adapters stays out of
// the run's output and Dawn is loaded in the run only when the backend will be used.
import type { create as createGpu } from 'webgpu';
import { adapterInfo } from './adapter-info.js';

async function probe(): Promise<object> {
  try {
    // A variable specifier, as in dawn-node.ts.
    const specifier = 'webgpu';
    const dawn = (await import(specifier)) as { create: typeof createGpu; globals: object };
    Object.assign(globalThis, dawn.globals);
    const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
    return adapter === null ? { error: 'no WebGPU adapter' } : { adapter: adapterInfo(adapter) };
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

process.stdout.write(`${JSON.stringify(await probe())}\n`);
// Dawn's instance keeps the event loop alive.
process.exit(0);
