import type { RunReport } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import type { LeaderboardRow } from '../leaderboard.js';
import type { RunOutcome } from '../suite.js';
import { lambdaSweeps, robustnessSeries } from './sweep-charts.js';

/** A run of `entry` with these method and task-pool parameters, and its leaderboard row. */
function run(
  label: string,
  entry: string,
  method: Record<string, unknown>,
  pool: Record<string, unknown>,
  average: number,
): [RunOutcome, LeaderboardRow] {
  const report = {
    method: { name: entry, params: method },
    taskpool: { name: 'image-classification', params: pool },
  } as unknown as RunReport;
  const row = { label, average } as LeaderboardRow;
  return [{ label, entry, ok: true, reports: [report], dirs: ['/nowhere'] }, row];
}

describe('report sweeps', () => {
  it('λ: one series per entry swept over scaling_factor or init_lambda, sorted by λ', () => {
    const runs = [
      run('ta (scaling_factor=0.5)', 'ta', { scaling_factor: 0.5 }, {}, 0.4),
      run('ta (scaling_factor=0.1)', 'ta', { scaling_factor: 0.1 }, {}, 0.6),
      run('wemoe (init_lambda=0.3)', 'wemoe', { init_lambda: 0.3, max_steps: 5 }, {}, 0.7),
      run('wemoe (init_lambda=0.7)', 'wemoe', { init_lambda: 0.7, max_steps: 5 }, {}, 0.65),
      run('ties', 'ties', { scaling_factor: 0.3 }, {}, 0.5),
    ];
    expect(
      lambdaSweeps(
        runs.map((r) => r[0]),
        runs.map((r) => r[1]),
      ),
    ).toEqual([
      {
        series: 'ta (scaling_factor)',
        points: [
          { lambda: 0.1, average: 0.6 },
          { lambda: 0.5, average: 0.4 },
        ],
      },
      {
        series: 'wemoe (init_lambda)',
        points: [
          { lambda: 0.3, average: 0.7 },
          { lambda: 0.7, average: 0.65 },
        ],
      },
    ]);
  });

  it('robustness: accuracy per corruption per method, clean for none', () => {
    const runs = [
      run(
        'wemoe (router_hidden_layers=0, corruption=null)',
        'wemoe',
        { router_hidden_layers: 0 },
        { corruption: null },
        0.8,
      ),
      run(
        'wemoe (router_hidden_layers=0, corruption=pixelate)',
        'wemoe',
        { router_hidden_layers: 0 },
        { corruption: 'pixelate' },
        0.6,
      ),
      run(
        'wemoe (router_hidden_layers=2, corruption=pixelate)',
        'wemoe',
        { router_hidden_layers: 2 },
        { corruption: 'pixelate' },
        0.5,
      ),
      run(
        'wemoe (router_hidden_layers=2, corruption=null)',
        'wemoe',
        { router_hidden_layers: 2 },
        { corruption: null },
        0.9,
      ),
    ];
    expect(
      robustnessSeries(
        runs.map((r) => r[0]),
        runs.map((r) => r[1]),
      ),
    ).toEqual([
      { series: 'wemoe (router_hidden_layers=0)', byCorruption: { clean: 0.8, pixelate: 0.6 } },
      { series: 'wemoe (router_hidden_layers=2)', byCorruption: { pixelate: 0.5, clean: 0.9 } },
    ]);
  });
});
