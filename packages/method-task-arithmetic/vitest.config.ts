import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'method-task-arithmetic', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
