// The tfjs-core kernel tests run on the `webgpu` backend (`pnpm test:tfjs`, through the shared
// tools/tfjs-suite/run.mjs): the kernels mergebench's methods use, forward and gradients. This
// package's TypeScript is bundled from src/.
import { fileURLToPath } from 'node:url';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** tfjs-core test files (under its dist/) of the kernels the methods use, forward and gradients. */
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
  'ops/sum_test',
  'ops/max_test',
  'ops/mean_test',
  'ops/moments_test',
  'ops/transpose_test',
  'ops/softmax_test',
  'ops/log_softmax_test',
  'ops/gather_test',
  'ops/concat_test',
  'ops/slice_test',
  'ops/one_hot_test',
  'ops/where_test',
  'ops/greater_test',
  'ops/equal_test',
  'ops/clip_by_value_test',
  'ops/topk_test',
  'ops/scatter_nd_test',
  'ops/unsorted_segment_sum_test',
  'ops/tile_test',
  'ops/broadcast_to_test',
  'ops/stack_test',
];

/**
 * Specs whose expectation a GPU does not meet by design, left out as tfjs-backend-webgpu's own test
 * setup leaves them out: GPUs read an out-of-range gather index as 0 (the spec beside it, "fills
 * with zero when index is out of bound", checks that instead), and exp(10) of an int32 tensor is
 * 22026.46875 on the GPU, 1.5 float32 ulp from the exact value, past the spec's 1e-3 absolute
 * tolerance (float32 tensors are within it).
 */
const EXCLUDED = [
  'gather webgpu {"WEBGPU_CPU_FORWARD":false} throws when index is out of bound',
  'exp webgpu {"WEBGPU_CPU_FORWARD":false} int32',
];

export default {
  entry: here('./entry.mjs'),
  specFiles: SPEC_FILES,
  excluded: EXCLUDED,
  // Dawn's binding finds its binary beside its own files: loaded from node_modules, not bundled.
  external: ['webgpu'],
  outDir: here('../../.cache'),
};
