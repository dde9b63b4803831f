import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'taskpool-clip-classification', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
