import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'modelpool-clip-vit', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
