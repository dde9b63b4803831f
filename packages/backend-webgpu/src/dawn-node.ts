// Dawn in Node: the `webgpu` package (Dawn's official binding, its binary inside the package),
// the WebGPU globals tfjs expects, and a synchronous wait for a buffer mapping.
//
// WebGPU has no synchronous readback, but tfjs's `dataSync()` (used throughout mergebench) needs
// one. Dawn's binding completes a mapping when its instance processes events, which it schedules
// with `setImmediate` and a native callback each time; capturing those callbacks lets a read
// run them at once, in a loop, until the mapping is done — without returning to the event loop.
import type { create as createGpu } from 'webgpu';

interface Tick {
  readonly run: () => void;
  done: boolean;
}

const ticks: Tick[] = [];
let captured = false;

function isNative(fn: unknown): fn is () => void {
  return typeof fn === 'function' && /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fn));
}

/** Routes Dawn's event-processing callbacks through a queue that a synchronous read can drain. */
function captureDawnTicks(): void {
  if (captured) return;
  captured = true;
  const original = globalThis.setImmediate;
  const wrapped = ((fn: unknown, ...args: unknown[]) => {
    // Dawn's callbacks are native functions without arguments; everything else passes through.
    if (!isNative(fn) || args.length > 0)
      return (original as (...a: unknown[]) => NodeJS.Immediate)(fn, ...args);
    const tick: Tick = { run: fn, done: false };
    ticks.push(tick);
    return original(() => {
      if (!tick.done) {
        tick.done = true;
        tick.run();
      }
    });
  }) as typeof setImmediate;
  Object.assign(wrapped, original);
  globalThis.setImmediate = wrapped;
}

/** What to tell the user when Dawn finds no adapter. */
export const NO_ADAPTER_HINT =
  process.platform === 'linux'
    ? 'Dawn found no Vulkan device: install the GPU’s Vulkan driver, or for a software one Mesa ≥ 25: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1'
    : 'Dawn found no Metal, D3D12 or Vulkan device';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Processes Dawn's events until `buffer` leaves the `pending` map state: `mapped` on success,
 * `unmapped` when the mapping failed (a lost device). Sleeps briefly between polls so that a
 * software adapter keeps the cores.
 */
export function waitForMapping(buffer: GPUBuffer): void {
  let polls = 0;
  while (buffer.mapState === 'pending') {
    let tick = ticks.shift();
    while (tick?.done) tick = ticks.shift();
    if (tick === undefined) throw new Error('webgpu: Dawn scheduled no event processing for a mapping');
    tick.done = true;
    tick.run();
    polls++;
    if (buffer.mapState === 'pending' && polls > 4) Atomics.wait(sleeper, 0, 0, polls > 100 ? 1 : 0.05);
  }
}

/** Loads Dawn, defines the WebGPU globals (GPUBufferUsage, …) and `navigator.gpu`; returns the GPU. */
export async function loadDawn(flags: string[] = []): Promise<GPU> {
  captureDawnTicks();
  // A variable specifier keeps browser bundles from following it.
  const specifier = 'webgpu';
  const dawn = (await import(specifier)) as { create: typeof createGpu; globals: object };
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis))
      Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  }
  const gpu = dawn.create(flags);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) {
    // Node 20 has no navigator; tfjs's webgpu backend looks for navigator.gpu.
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu, userAgent: `Node.js/${process.versions.node}` },
      configurable: true,
      writable: true,
    });
  } else if (g.navigator.gpu === undefined) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
  return gpu;
}
