// `pnpm test:tfjs`: runs the tfjs-core tests of the kernels mergebench's methods use (SPEC_FILES)
// on the `webgpu` backend with jasmine, as tfjs's own backends run them. Exits non-zero on a
// failure. This package's TypeScript is bundled from src/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Jasmine from 'jasmine';
import { rolldown } from 'rolldown';

/** tfjs-core test files (under its dist/) of the kernels the methods use, forward and gradients. */
export const SPEC_FILES = [
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
export const EXCLUDED = [
  'gather webgpu {"WEBGPU_CPU_FORWARD":false} throws when index is out of bound',
  'exp webgpu {"WEBGPU_CPU_FORWARD":false} int32',
];

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const entry = here('./entry.mjs');
const bundlePath = here('../../.cache/tfjs-suite.mjs');

async function bundle(specFiles) {
  const source = [
    `import ${JSON.stringify(entry)};`,
    ...specFiles.map((f) => `import '@tensorflow/tfjs-core/dist/${f}';`),
  ].join('\n');
  const input = here('../../.cache/tfjs-suite-input.mjs');
  mkdirSync(here('../../.cache'), { recursive: true });
  writeFileSync(input, `${source}\n`);
  const build = await rolldown({
    input,
    platform: 'node',
    // Dawn's binding finds its binary beside its own files: loaded from node_modules, not bundled.
    external: ['webgpu'],
    // tfjs packages' ES module builds ("module"), so that everything shares one tfjs-core.
    resolve: { mainFields: ['module', 'main'] },
    // tfjs-core (and this package) declare their files free of side effects; test files and the
    // registration are nothing but.
    plugins: [
      {
        name: 'keep-side-effects',
        async resolveId(source, importer, options) {
          const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
          return resolved ? { ...resolved, moduleSideEffects: true } : null;
        },
      },
    ],
    logLevel: 'silent',
  });
  await build.write({ file: bundlePath, format: 'esm', codeSplitting: false });
  await build.close();
}

// `node run.mjs ops/softmax_test …` runs the named spec files only.
const chosen = process.argv.slice(2);
await bundle(chosen.length > 0 ? chosen : SPEC_FILES);
const runner = new Jasmine();
runner.exitOnCompletion = false;
runner.env.configure({ specFilter: (spec) => !EXCLUDED.includes(spec.getFullName()) });
runner.addSpecFile(bundlePath);
const result = await runner.execute();
process.exitCode = result.overallStatus === 'passed' ? 0 : 1;
