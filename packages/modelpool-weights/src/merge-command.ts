/**
 * `mergebench merge <config.yaml> <out> [--dtype D] [--max-shard-size 5GB] [--seed N]
 * [--overwrite]`: a mergekit configuration merged into a Hugging Face folder, with no task pool
 * and no evaluation, streamed tensor by tensor (see merge-to-folder.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type CliCommand, MergebenchError } from '@mergebench/core';
import { parse } from 'yaml';
import { parseByteSize } from './byte-size.js';
import { mergeToFolder } from './merge-to-folder.js';
import { readMergekitConfig } from './mergekit-config.js';
import { openMergeModels } from './open-merge-models.js';

const USAGE =
  'mergebench merge <mergekit config.yaml> <output folder> [--dtype float32|float16|bfloat16] [--max-shard-size 5GB] [--seed N] [--overwrite]';

function parseArgs(argv: readonly string[]) {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--overwrite') flags.overwrite = true;
    else if (['--dtype', '--max-shard-size', '--seed'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined)
        throw new MergebenchError(`mergebench merge: ${arg} needs a value (usage: ${USAGE})`);
      flags[arg.slice(2)] = value;
    } else if (arg.startsWith('--'))
      throw new MergebenchError(`mergebench merge: unknown option ${arg} (usage: ${USAGE})`);
    else positional.push(arg);
  }
  if (positional.length !== 2)
    throw new MergebenchError(
      `mergebench merge: expected a config file and an output folder (usage: ${USAGE})`,
    );
  return { config: positional[0], out: positional[1], flags };
}

export const mergeCommand: CliCommand = {
  name: 'merge',
  usage: `${USAGE} — merges Hugging Face checkpoints as a mergekit configuration says (linear, task_arithmetic, ties, dare_linear, dare_ties, slerp), out of core`,
  async run(argv, io) {
    const { config, out, flags } = parseArgs(argv);
    const file = resolve(io.cwd, config);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new MergebenchError(`${config}: cannot read the merge configuration`);
    });
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch (err) {
      throw new MergebenchError(`${config}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
    const seed = flags.seed === undefined ? 0 : Number(flags.seed);
    if (!Number.isInteger(seed))
      throw new MergebenchError(`mergebench merge: --seed expects an integer, got ${flags.seed}`);
    const withDtype =
      typeof flags.dtype === 'string' ? { ...(parsed as object), out_dtype: flags.dtype } : parsed;
    const plan = readMergekitConfig(withDtype, config, seed);
    const maxShardBytes =
      typeof flags['max-shard-size'] === 'string' ? parseByteSize(flags['max-shard-size']) : undefined;
    const { base, models, close } = await openMergeModels(plan, dirname(file));
    try {
      const started = performance.now();
      const result = await mergeToFolder({
        base,
        models,
        merge: plan.merge,
        out: resolve(io.cwd, out),
        dtype: plan.dtype,
        maxShardBytes,
        overwrite: flags.overwrite === true,
      });
      const seconds = (performance.now() - started) / 1000;
      io.out(
        `merged ${models.length + (base ? 1 : 0)} models (${plan.method}) into ${out}: ${result.tensors} tensors, ` +
          `${(result.inputBytes / 1e9).toFixed(2)} GB read in ${seconds.toFixed(1)} s (${(result.inputBytes / 1e9 / seconds).toFixed(2)} GB/s); files: ${result.files.join(', ')}`,
      );
    } finally {
      await close();
    }
    return 0;
  },
};
