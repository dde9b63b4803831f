import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'modelpool-weights', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
