import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'method-dare', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
