import { describe, expect, it } from 'vitest';
import { formatLeaderboard, HELD_OUT_MARK, type LeaderboardRow } from './leaderboard.js';

const row = (label: string, heldOut: string[]): LeaderboardRow => ({
  label,
  method: 'task-arithmetic',
  tasks: { a: 0.9, b: 0.5 },
  average: 0.7,
  averageHalfWidth: 0.05,
  parameters: { all: 1000, trainable: 1000 },
  methodSeconds: 1,
  needs: 'weights only',
  heldOut,
});

describe('leaderboard with held-out tasks', () => {
  it('marks the held-out cells of a run and says what the mark means', () => {
    const { markdown } = formatLeaderboard([row('merged', ['b']), row('all', [])], ['a', 'b']);
    expect(markdown).toContain(`| merged | 90.0 | 50.0${HELD_OUT_MARK} | 70.0 ± 5.0 |`);
    expect(markdown).toContain('| all | 90.0 | 50.0 | 70.0 ± 5.0 |');
    expect(markdown).toContain(`${HELD_OUT_MARK} a task held out of that run's merge`);
  });

  it('adds nothing without held-out tasks', () => {
    expect(formatLeaderboard([row('all', [])], ['a', 'b']).markdown).not.toContain(HELD_OUT_MARK);
  });
});
