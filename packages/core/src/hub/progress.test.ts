import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatBytes, progressFor } from './progress.js';

/** A stream that keeps what is written, a terminal or not. */
function stream(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return Object.assign(s, { isTTY, columns: 100, text: () => chunks.join('') });
}

async function run(s: ReturnType<typeof stream>, env: Record<string, string>) {
  const progress = progressFor(s, env);
  progress.start('acme/m/model.safetensors', 2_000_000, 500_000);
  // cli-progress redraws on a timer (10 per second): let it draw once.
  await new Promise((ok) => setTimeout(ok, 250));
  progress.update('acme/m/model.safetensors', 1_500_000);
  progress.finish('acme/m/model.safetensors', 'fetched', 2_000_000);
  progress.finish('acme/m/config.json', 'cached', 10);
  progress.stop();
  return s.text();
}

describe('download progress', () => {
  it('writes one line per fetched file off a terminal, under CI or with HF_HUB_DISABLE_PROGRESS_BARS', async () => {
    const line = 'fetched acme/m/model.safetensors (2.0 MB)\n';
    expect(await run(stream(false), {})).toBe(line);
    expect(await run(stream(true), { CI: 'true' })).toBe(line);
    expect(await run(stream(true), { HF_HUB_DISABLE_PROGRESS_BARS: '1' })).toBe(line);
  });

  it('draws a bar per file on a terminal', async () => {
    const text = await run(stream(true), {});
    expect(text).toContain('acme/m/model.safetensors');
    expect(text).toContain('500.0 KB/2.0 MB');
    expect(text).toContain('fetched acme/m/model.safetensors (2.0 MB)');
    expect(text).toContain('\x1b[');
  });

  it('formats sizes in powers of 1000', () => {
    expect([formatBytes(999), formatBytes(1500), formatBytes(2_500_000_000)]).toEqual([
      '999 B',
      '1.5 KB',
      '2.5 GB',
    ]);
  });
});
