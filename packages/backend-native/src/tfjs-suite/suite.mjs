// The tfjs-core kernel tests run on the `native` backend (`pnpm test:tfjs`, through the shared
// tools/tfjs-suite/run.mjs): every kernel this backend replaces, forward and gradients. The addon
// must be compiled; this package's TypeScript is bundled from src/.
import { fileURLToPath } from 'node:url';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** tfjs-core test files (under its dist/) covering the replaced kernels, forward and gradients. */
const SPEC_FILES = [
  'ops/mat_mul_test',
  'ops/fused/fused_mat_mul_test',
  'ops/add_test',
  'ops/sub_test',
  'ops/arithmetic_test',
  'ops/binary_ops_test',
  'ops/add_n_test',
  'ops/exp_test',
  'ops/log_test',
  'ops/sqrt_test',
  'ops/rsqrt_test',
  'ops/square_test',
  'ops/neg_test',
  'ops/abs_test',
  'ops/sigmoid_test',
  'ops/tanh_test',
  'ops/erf_test',
  'ops/relu_test',
  'ops/relu6_test',
  'ops/elu_test',
  'ops/leaky_relu_test',
  'ops/reciprocal_test',
  'ops/sum_test',
  'ops/max_test',
  'ops/min_test',
  'ops/mean_test',
  'ops/moments_test',
  'ops/transpose_test',
  'ops/softmax_test',
  'ops/scatter_nd_test',
];

export default {
  entry: here('./entry.mjs'),
  specFiles: SPEC_FILES,
  // One folder below the package root, as dist/ is: the addon is found relative to the code.
  outDir: here('../../build'),
};
