import path from 'node:path';
import { type CliCommand, MergebenchError, stderrLogger } from '@mergebench/core';
import { parseCommandArgs, positiveInteger, queueUrl } from './command-args.js';
import { parseRedisUrl } from './redis-url.js';
import { startWorker } from './worker.js';

const USAGE = `mergebench worker --queue redis://[user:pass@]host:port[/db] [--concurrency N] [--runs DIR]
                  [--inputs DIR] [--backend NAME] [--lock-ms MS] [--verbose]
takes suite runs from the queue and runs each as \`mergebench run\` would, in its own process;
--runs: where run folders go (default: the coordinator's, on storage shared at the same path);
--inputs: the folder the jobs' relative input paths start from (default: the coordinator's);
inputs are checked by content hash. SIGTERM: finish the running jobs, then exit; a second
SIGTERM or SIGINT: hand the running jobs back to the queue at once. MERGEBENCH_QUEUE may hold the URL.`;

/** `mergebench worker`: runs queued suite runs until SIGTERM. */
export const workerCommand: CliCommand = {
  name: 'worker',
  usage: USAGE,
  async run(argv, io) {
    const { flags, words } = parseCommandArgs(
      argv,
      { values: ['queue', 'concurrency', 'runs', 'inputs', 'backend', 'lock-ms'], booleans: ['verbose'] },
      USAGE,
    );
    if (words.length > 0) throw new MergebenchError(`worker: unexpected '${words[0]}'; usage: ${USAGE}`);
    const target = parseRedisUrl(queueUrl(flags.get('queue'), USAGE));
    const logger = stderrLogger({ verbose: flags.has('verbose') });
    const dir = (name: string) => {
      const v = flags.get(name);
      return typeof v === 'string' ? path.resolve(io.cwd, v) : undefined;
    };
    const runsDir = dir('runs');
    const inputsDir = dir('inputs');
    const backend = flags.get('backend');
    const worker = await startWorker({
      target,
      concurrency: positiveInteger(flags.get('concurrency'), 'concurrency', 1),
      cwd: io.cwd,
      ...(runsDir ? { runsDir } : {}),
      ...(inputsDir ? { inputsDir } : {}),
      ...(typeof backend === 'string' ? { backend } : {}),
      verbose: flags.has('verbose'),
      lockMs: positiveInteger(flags.get('lock-ms'), 'lock-ms', 30_000),
      logger,
    });
    await new Promise<void>((resolve) => {
      let signals = 0;
      const stop = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals === 1 && signal === 'SIGTERM') {
          logger.info(
            `worker ${worker.id}: ${signal}: finishing the running jobs, then exiting (again to hand them back)`,
          );
          void worker.close().then(resolve);
        } else {
          logger.info(`worker ${worker.id}: ${signal}: handing the running jobs back to the queue`);
          void worker.handBack().then(resolve);
        }
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    logger.info(`worker ${worker.id}: stopped`);
    return 0;
  },
};
