// `node tools/tfjs-suite/run.mjs <suite.mjs> [spec …]`: runs tfjs-core's own kernel tests (shipped
// in its npm package as dist/**/*_test.js) against one backend with jasmine, as tfjs's own backends
// run them. Exits non-zero on a failure. Shared by the backend packages: each names its suite in a
// small module (its `src/tfjs-suite/suite.mjs`) that default-exports
//   { entry, specFiles, excluded?, external?, outDir }
// where `entry` registers the backend and calls tfjs-core's `setTestEnvs` for it, `specFiles` are
// the test files under tfjs-core's dist/ ('ops/mat_mul_test', …), `excluded` full spec names to
// leave out, `external` modules loaded from node_modules instead of bundled (a native binding that
// finds its binary beside its own files), and `outDir` where the bundle is written (a folder one
// level below the package root, as dist/ is, so code that finds files relative to itself works).
// Spec files named after the suite replace its list.
//
// The entry, the backend's TypeScript and the test files are bundled (rolldown) so that tfjs, its
// tests and the backend share one tfjs-core (its ES module build) and extensionless imports resolve.
// rolldown and jasmine are the backend package's own dev dependencies, resolved from its folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [suitePath, ...chosen] = process.argv.slice(2);
if (!suitePath) {
  process.stderr.write('usage: node tools/tfjs-suite/run.mjs <suite.mjs> [spec file …]\n');
  process.exit(2);
}
const suiteFile = path.resolve(suitePath);
const suite = (await import(pathToFileURL(suiteFile).href)).default;
const fromPackage = createRequire(suiteFile);
const importFromPackage = async (name) => import(pathToFileURL(fromPackage.resolve(name)).href);
const { rolldown } = await importFromPackage('rolldown');
const Jasmine = (await importFromPackage('jasmine')).default;

const specFiles = chosen.length > 0 ? chosen : suite.specFiles;
const excluded = suite.excluded ?? [];
mkdirSync(suite.outDir, { recursive: true });
const input = path.join(suite.outDir, 'tfjs-suite-input.mjs');
const bundlePath = path.join(suite.outDir, 'tfjs-suite.mjs');
writeFileSync(
  input,
  `${[
    `import ${JSON.stringify(suite.entry)};`,
    ...specFiles.map((f) => `import '@tensorflow/tfjs-core/dist/${f}';`),
  ].join('\n')}\n`,
);
const build = await rolldown({
  input,
  platform: 'node',
  external: suite.external ?? [],
  // tfjs packages' ES module builds ("module"), so that everything shares one tfjs-core.
  resolve: { mainFields: ['module', 'main'] },
  // tfjs-core (and the backend packages) declare their files free of side effects; test files and
  // the registration are nothing but.
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

const runner = new Jasmine();
runner.exitOnCompletion = false;
runner.env.configure({ specFilter: (spec) => !excluded.includes(spec.getFullName()) });
runner.addSpecFile(bundlePath);
const result = await runner.execute();
process.exitCode = result.overallStatus === 'passed' ? 0 : 1;
