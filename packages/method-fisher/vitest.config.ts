import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'method-fisher', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
