import { type CliCommand, MergebenchError } from '@mergebench/core';
import { parseCommandArgs, queueUrl } from './command-args.js';
import { queueStatus } from './queue-status.js';
import { parseRedisUrl } from './redis-url.js';

const USAGE = `mergebench queue status [redis://[user:pass@]host:port[/db]]
jobs waiting, running (on which worker, at which step), done and failed; MERGEBENCH_QUEUE may hold the URL`;

/** `mergebench queue status URL`. */
export const queueCommand: CliCommand = {
  name: 'queue',
  usage: USAGE,
  async run(argv, io) {
    const { flags, words } = parseCommandArgs(argv, { values: ['queue'], booleans: ['verbose'] }, USAGE);
    if (words[0] !== 'status' || words.length > 2)
      throw new MergebenchError(`queue: expected 'status'; usage: ${USAGE}`);
    const target = parseRedisUrl(queueUrl(words[1] ?? flags.get('queue'), USAGE));
    io.out(`${await queueStatus(target)}\n`);
    return 0;
  },
};
