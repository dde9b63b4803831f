import { describe, expect, it } from 'vitest';
import { type JobProgress, progressThrottle } from './job-progress.js';

describe('job progress', () => {
  it('sends at most one update per interval, always the last step, with an ETA from the rate', () => {
    let now = 0;
    const sent: JobProgress[] = [];
    const report = progressThrottle(
      'host:1',
      (p) => sent.push(p),
      1000,
      () => now,
    );
    for (let step = 1; step <= 10; step++) {
      now = step * 300; // 300 ms a step
      report({ loop: 'adaptation', step, total: 10, loss: 1 / step });
    }
    expect(sent.map((p) => p.step)).toEqual([1, 5, 9, 10]);
    expect(sent[2]).toMatchObject({ worker: 'host:1', loop: 'adaptation', total: 10, loss: 1 / 9 });
    expect(sent[2].etaSeconds).toBeCloseTo(0.3, 5); // one step left at 300 ms a step
  });
});
