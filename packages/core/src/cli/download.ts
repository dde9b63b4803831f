import path from 'node:path';
import { MergebenchError } from '../errors.js';
import { describeRepo } from '../hub/hub-errors.js';
import {
  type DownloadProgress,
  downloadRepos,
  lineProgress,
  progressFor,
  resolveDownloadTargets,
} from '../hub/index.js';
import { formatBytes } from '../hub/progress.js';
import type { CliArgs } from './args.js';

export interface DownloadCliIo {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * `mergebench download <preset or owner/name>… [--repo-type model|dataset] [--revision REV]
 * [--include GLOB]… [--cache-dir DIR]`: fetches into the Hugging Face cache and prints, per
 * repository, where its snapshot is. `terminal` is true when io is the real process: progress
 * then goes to stderr as bars on a TTY, else as one line per fetched file.
 */
export async function runDownload(args: CliArgs, io: DownloadCliIo, terminal: boolean): Promise<void> {
  const names = args.overrides;
  if (names.length === 0)
    throw new MergebenchError('download: name at least one preset or Hub repo id (owner/name); see --help');
  const type = args.flags['repo-type'];
  if (type !== undefined && type !== 'model' && type !== 'dataset')
    throw new MergebenchError(`--repo-type: expected model or dataset, got '${type}'`);
  const requests = await resolveDownloadTargets(names, {
    cwd: io.cwd,
    type,
    revision: args.flags.revision,
    include: args.flags.include,
  });
  const progress: DownloadProgress = terminal
    ? progressFor(process.stderr)
    : lineProgress((line) => io.err(`${line}\n`));
  const cacheDir = args.flags['cache-dir'];
  const done = await downloadRepos(requests, {
    ...(cacheDir ? { cacheDir: path.resolve(io.cwd, cacheDir) } : {}),
    progress,
  });
  for (const repo of done) {
    const fetched =
      repo.fetched > 0 ? `${repo.fetched} fetched (${formatBytes(repo.bytesFetched)})` : 'all cached';
    io.out(`${describeRepo(repo.repo)}: ${repo.files.length} files, ${fetched}: ${repo.snapshot}\n`);
  }
}
