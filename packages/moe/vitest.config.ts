import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'moe', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
