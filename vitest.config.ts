import { defineConfig } from 'vitest/config';

// One vitest project per package; `pnpm vitest` at the root runs them all, turbo runs them one by one.
export default defineConfig({
  test: { projects: ['packages/*', 'benchmarks/*', 'examples/*'] },
});
