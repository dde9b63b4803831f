import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { formatLeaderboard, leaderboardRows } from './leaderboard.js';
import { runSuite, type SuiteEntry } from './suite.js';
import { buildZoo } from './zoo/build-zoo.js';
import { DEFAULT_ZOO_SPEC, type ZooSpec } from './zoo/zoo-spec.js';

/** A zoo of the real shape (CLIP ViT, pretraining, per-task fine-tuning runs) built in seconds. */
const TINY: ZooSpec = {
  ...DEFAULT_ZOO_SPEC,
  vision: {
    ...DEFAULT_ZOO_SPEC.vision,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    projection_dim: 8,
  },
  tasks: ['synthetic-colors', 'synthetic-textures'],
  data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0 },
  pretrain: { steps: 3, batchSize: 16, lr: 1e-3, logitScale: 100 },
  finetune: { steps: 4, batchSize: 16, lr: 1e-3 },
};

const SUITE: SuiteEntry[] = [
  { label: 'pretrained', overrides: ['method=dummy'] },
  {
    label: 'individual',
    overrides: ['method=dummy'],
    perTask: (t) => [`method.model=${t}`, `taskpool.tasks=[${t}]`],
  },
  { label: 'broken', overrides: ['method=dummy', 'method.model=nope'] },
];

describe('offline benchmark', () => {
  it('builds a zoo through mergebench runs, runs a suite, and resumes without redoing work', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-offline-'));
    const logger = memoryLogger();
    const zoo = await buildZoo(root, TINY, logger);
    expect(readdirSync(path.join(zoo.dir, 'finetuned')).sort()).toEqual([...TINY.tasks].sort());
    expect(readdirSync(zoo.pretrained).sort()).toEqual(['config.json', 'model.safetensors']);

    const outcomes = await runSuite(zoo, SUITE, logger);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(outcomes[2]).toMatchObject({ ok: false, error: expect.stringContaining("unknown model 'nope'") });

    const rows = leaderboardRows(outcomes, TINY.tasks, () => undefined);
    expect(rows.map((r) => r.label)).toEqual(['pretrained', 'individual']);
    for (const row of rows) for (const t of TINY.tasks) expect(row.tasks[t]).toBeGreaterThanOrEqual(0);
    expect(formatLeaderboard(rows, TINY.tasks).markdown).toMatch(/^\| method \| synthetic-colors \|/);

    // A second pass reuses every report and every zoo model.
    const reportTimes = () =>
      readdirSync(path.join(zoo.dir, 'runs')).map((d) => statSync(path.join(zoo.dir, 'runs', d)).mtimeMs);
    const before = reportTimes();
    await buildZoo(root, TINY, logger);
    const again = await runSuite(zoo, SUITE.slice(0, 2), logger);
    expect(again.every((o) => o.ok)).toBe(true);
    expect(reportTimes()).toEqual(before);
  });
});
