import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'image-corruptions', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
