// @mergebench/queue: suite runs as BullMQ jobs on Redis. The coordinator enqueues and waits
// (runQueued), `mergebench worker` runs jobs, `mergebench queue status` shows them.
import { queuePlugin } from './plugin.js';

export { type CoordinatorOptions, type JobTiming, type QueuedOutcome, runQueued } from './coordinator.js';
export { checkInputs, collectInputs, contentHash, type InputHash } from './input-hashes.js';
export type { JobProgress } from './job-progress.js';
export { prepareRunJob } from './prepare-job.js';
export { queueStatus } from './queue-status.js';
export { parseRedisUrl, type RedisTarget, redactRedisUrl } from './redis-url.js';
export { checkRunJobData, RUN_QUEUE, type RunJobData, type RunJobResult, runJobId } from './run-job.js';
export { type JobRunner, type RunningWorker, startWorker, type WorkerOptions } from './worker.js';

export default queuePlugin;
