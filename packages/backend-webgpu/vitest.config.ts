import { defineProject } from 'vitest/config';

// The software adapter (Mesa's llvmpipe in CI) is slow: tests use the small fixtures, one file at a time
// so that they do not compete for the two cores.
export default defineProject({
  test: {
    name: 'backend-webgpu',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
