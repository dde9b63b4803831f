import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'bench-offline', include: ['src/**/*.test.ts'], testTimeout: 120_000 },
});
