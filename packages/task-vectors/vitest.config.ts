import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'task-vectors', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
