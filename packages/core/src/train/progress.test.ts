import { describe, expect, it } from 'vitest';
import type { Logger } from '../contracts/logger.js';
import { formatDuration, ProgressBar, progressDrawable } from './progress.js';

function fakeTerminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (t: string) => writes.push(t) } };
}

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: () => {} };
}

describe('ProgressBar', () => {
  it('draws in place on a terminal, at most every 100 ms, with steps/s and ETA', () => {
    const { writes, stream } = fakeTerminal(true);
    let now = 0;
    const bar = new ProgressBar({ total: 100, label: 'adaptation', stream, env: {}, now: () => now });
    for (let step = 1; step <= 40; step++) {
      now = step * 25; // 40 steps per second
      bar.update(step, 1 / step);
    }
    expect(writes.length).toBe(10); // steps 1, 5, …, 37: 100 ms apart
    const last = writes.at(-1)!;
    expect(last.startsWith('\r')).toBe(true);
    expect(last.endsWith('\x1b[K')).toBe(true);
    expect(last).toContain('37/100 loss 0.0270 40.00 steps/s ETA 0:02');
    expect(last).toMatch(/^\radaptation \[#+\.+\]/);
    bar.finish();
    expect(writes.at(-1)!.endsWith(' 40/100 loss 0.0250 40.00 steps/s ETA 0:02\x1b[K\n')).toBe(true);
  });

  it('draws nothing off a terminal or under CI, and logs one summary line', () => {
    for (const [isTTY, env] of [
      [false, {}],
      [true, { CI: 'true' }],
    ] as const) {
      const { writes, stream } = fakeTerminal(isTTY);
      const logger = collectingLogger();
      let now = 0;
      const bar = new ProgressBar({ total: 10, start: 4, stream, env, logger, now: () => now });
      for (let step = 5; step <= 10; step++) {
        now += 500;
        bar.update(step, 0.5);
      }
      bar.finish();
      bar.finish();
      expect(writes).toEqual([]);
      expect(logger.lines).toEqual([
        'training: 6 steps in 3.0s (2.00 steps/s), at step 10/10, last loss 0.5000',
      ]);
    }
  });

  it('decides drawing from the TTY flag and CI', () => {
    expect(progressDrawable({ isTTY: true, write: () => true }, {})).toBe(true);
    expect(progressDrawable({ isTTY: true, write: () => true }, { CI: 'false' })).toBe(true);
    expect(progressDrawable({ isTTY: true, write: () => true }, { CI: '1' })).toBe(false);
    expect(progressDrawable({ write: () => true }, {})).toBe(false);
  });

  it('formats durations', () => {
    expect([0, 59.6, 75, 3700].map(formatDuration)).toEqual(['0:00', '1:00', '1:15', '1:01:40']);
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
