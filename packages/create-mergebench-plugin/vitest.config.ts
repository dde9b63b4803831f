import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'create-mergebench-plugin', include: ['src/**/*.test.ts'], testTimeout: 180_000 },
});
