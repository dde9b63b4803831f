import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyCsv, type StepRecord, writeHistoryCsv } from './history.js';

const history: StepRecord[] = [
  { step: 1, loss: 3.5, taskLosses: { a: 1.25, 'b,c': 2.25 }, lr: 0.001, extra: { 'coef.0': 0.3 } },
  {
    step: 2,
    loss: 0.1 + 0.2,
    taskLosses: { a: 0.1, 'b,c': 0.2 },
    lr: 1e-10,
    extra: { 'coef.0': 0.35, 'coef.1': -2 },
  },
  { step: 3, loss: 1, taskLosses: { a: 1 }, lr: 0 },
];

describe('history CSV', () => {
  it('has one row per step: step, loss, per-task losses, lr, then the extra columns', () => {
    expect(historyCsv(history).split('\n')).toEqual([
      'step,loss,loss/a,"loss/b,c",lr,coef.0,coef.1',
      '1,3.5,1.25,2.25,0.001,0.3,',
      '2,0.30000000000000004,0.1,0.2,1e-10,0.35,-2',
      '3,1,1,,0,,',
      '',
    ]);
  });

  it('is written to a file, creating its folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mergebench-train-'));
    try {
      const path = join(dir, 'plots', 'history.csv');
      await writeHistoryCsv(path, history);
      expect(await readFile(path, 'utf8')).toBe(historyCsv(history));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('of an empty history is just the header', () => {
    expect(historyCsv([])).toBe('step,loss,lr\n');
  });
});
