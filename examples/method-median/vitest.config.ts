import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-method-median', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
