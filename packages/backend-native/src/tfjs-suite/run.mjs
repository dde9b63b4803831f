// `pnpm test:tfjs`: runs the tfjs-core tests of every kernel this backend replaces (SPEC_FILES)
// on the `native` backend with jasmine, as tfjs's own backends run them. Exits non-zero on a
// failure. The addon must be compiled; this package's TypeScript is bundled from src/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Jasmine from 'jasmine';
import { rolldown } from 'rolldown';

/** tfjs-core test files (under its dist/) covering the replaced kernels, forward and gradients. */
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

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const entry = here('./entry.mjs');
// One folder below the package root, as dist/ is: the addon is found relative to the code.
const bundlePath = here('../../build/tfjs-suite.mjs');

async function bundle() {
  const source = [
    `import ${JSON.stringify(entry)};`,
    ...SPEC_FILES.map((f) => `import '@tensorflow/tfjs-core/dist/${f}';`),
  ].join('\n');
  const input = here('../../build/tfjs-suite-input.mjs');
  mkdirSync(here('../../build'), { recursive: true });
  writeFileSync(input, `${source}\n`);
  const build = await rolldown({
    input,
    platform: 'node',
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
  await build.write({ file: bundlePath, format: 'esm' });
  await build.close();
}

await bundle();
const runner = new Jasmine();
runner.exitOnCompletion = false;
runner.addSpecFile(bundlePath);
const result = await runner.execute();
process.exitCode = result.overallStatus === 'passed' ? 0 : 1;
