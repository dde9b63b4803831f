import { defineConfig } from 'vitest/config';

// The methods' own PyTorch-parity tests, unchanged, on the webgpu backend (`pnpm test:parity`):
// the fixtures and tolerances are theirs (1e-4 in float32).
export default defineConfig({
  test: {
    root: '..',
    include: [
      'method-task-arithmetic/src/task-arithmetic.test.ts',
      'method-ties/src/ties.test.ts',
      'method-adamerging/src/torch-parity.test.ts',
      'moe/src/torch-parity.test.ts',
      'method-wemoe/src/wemoe.test.ts',
    ],
    setupFiles: ['backend-webgpu/src/parity/use-webgpu.setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
