import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'merge-loops', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
