import { defineProject } from 'vitest/config';

// Real redis-server and worker processes: the fault tests wait for BullMQ's stalled-job check.
export default defineProject({
  test: {
    name: 'queue',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
