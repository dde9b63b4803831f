// A worker process for the overhead benchmark: the real worker loop (BullMQ, progress marker,
// result with timing) around a run that does nothing and returns a real report read from a file.
import { readFileSync } from 'node:fs';
import { silentLogger } from '@mergebench/core';
import { parseRedisUrl, startWorker } from '@mergebench/queue';

const [url, resultFile] = process.argv.slice(2);
const result = JSON.parse(readFileSync(resultFile, 'utf8'));
const worker = await startWorker({
  target: parseRedisUrl(url),
  concurrency: 1,
  cwd: process.cwd(),
  logger: silentLogger,
  runner: async () => result,
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
