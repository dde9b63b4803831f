// The browser demo (demo/): built from this package, served from 127.0.0.1, opened in Debian's
// chromium (headless, through playwright-core) with WebGPU enabled. The page must find a WebGPU
// adapter and give the numbers the same computation gives on the cpu backend here in Node.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUAdapterInfo } from './adapter-info.js';
import { type DemoResult, MODELS, runTaskArithmeticDemo, TASKS } from './demo/task-arithmetic.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * The flags that keep Debian's chromium from reaching for the (closed) network, and WebGPU on.
 * Headless chromium offers its bundled SwiftShader Vulkan adapter ("google swiftshader") to pages
 * on a machine without a GPU; on one with a GPU, the GPU's.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

interface PageResult {
  state: 'done' | 'fallback' | 'error';
  adapter?: WebGPUAdapterInfo;
  message?: string;
  webgpu?: DemoResult;
  cpu?: DemoResult;
  maxParameterDifference?: number;
}

interface DemoServer {
  startDemoServer(options?: {
    port?: number;
    build?: boolean;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

let server: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  const script = path.join(fileURLToPath(new URL('..', import.meta.url)), 'demo', 'serve.mjs');
  const { startDemoServer } = (await import(pathToFileURL(script).href)) as DemoServer;
  server = await startDemoServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page (after `init`, run before the page's own scripts) and waits for its result. */
async function openDemo(init?: string): Promise<{ result: PageResult; status: string; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith('data:'))
      errors.push(`network request ${r.url()}`);
  });
  if (init) await page.addInitScript(init);
  await page.goto(server.url);
  // Expressions evaluated in the page (this file is type-checked without the DOM's types).
  await page.waitForFunction("document.body.dataset.state !== 'loading'", null, { timeout: 240_000 });
  const result = (await page.evaluate('window.demoResult')) as PageResult;
  const status = (await page.textContent('#status')) ?? '';
  await page.close();
  return { result, status, errors };
}

describe('the browser demo', () => {
  it('merges and evaluates on a WebGPU adapter in chromium, as the cpu backend does in Node', async () => {
    const { result, status, errors } = await openDemo();
    expect(errors).toEqual([]);
    expect(result.message).toBeUndefined();
    expect(result.state).toBe('done');
    expect(result.adapter?.label).toMatch(/\S/);
    expect(status).toContain(`WebGPU adapter: ${result.adapter?.label}`);
    const gpu = result.webgpu as DemoResult;
    expect(gpu.backend).toBe('webgpu');
    for (const ms of Object.values(gpu.ms)) expect(ms).toBeGreaterThan(0);

    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    const cpu = await runTaskArithmeticDemo();
    expect(gpu.merged).toHaveLength(cpu.merged.length);
    const worst = Math.max(...gpu.merged.map((v, i) => Math.abs(v - cpu.merged[i])));
    expect(worst).toBeLessThanOrEqual(1e-4);
    for (const model of MODELS) {
      for (const task of TASKS) {
        const [g, c] = [gpu.evaluations[model][task], cpu.evaluations[model][task]];
        expect(Math.abs(g.loss - c.loss)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(c.loss)));
        // A sample whose two best logits tie to float precision may flip: at most one per 512.
        expect(Math.abs(g.accuracy - c.accuracy)).toBeLessThanOrEqual(1 / 512);
      }
    }
    // Task arithmetic does what it should on these tasks: the merged model beats the pretrained
    // one on both, and each fine-tuned model is best on its own task.
    const e = cpu.evaluations;
    for (const task of TASKS)
      expect(e.merged[task].accuracy).toBeGreaterThan(e.pretrained[task].accuracy + 0.1);
    expect(e['task A'].A.accuracy).toBeGreaterThan(e.merged.A.accuracy);
    expect(e['task B'].B.accuracy).toBeGreaterThan(e.merged.B.accuracy);
  }, 300_000);

  it('says plainly that WebGPU is unavailable, and runs on the cpu backend, in a browser without it', async () => {
    const { result, status, errors } = await openDemo(
      "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });",
    );
    expect(errors).toEqual([]);
    expect(result.state).toBe('fallback');
    expect(result.webgpu).toBeUndefined();
    expect(result.cpu?.backend).toBe('cpu');
    expect(status).toMatch(
      /^WebGPU is not available in this browser \(webgpu unavailable: no navigator\.gpu .*\); the demo ran on the cpu backend only\.$/,
    );
  }, 300_000);
});
