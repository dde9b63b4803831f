import type { Versions } from '../versions.js';

/** What a template needs to know about the plugin being made. */
export interface PluginSpec {
  /** The npm package name, also the plugin's name. */
  readonly packageName: string;
  /** The component's short name (`method=<name>`). */
  readonly name: string;
  readonly kind: 'method' | 'modelpool' | 'taskpool';
  readonly versions: Versions;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Files every template shares: a standalone package, outside any workspace. */
export function projectFiles(spec: PluginSpec): Record<string, string> {
  const { versions: v } = spec;
  return {
    'package.json': json({
      name: spec.packageName,
      version: '0.1.0',
      description: `A mergebench ${spec.kind} plugin: ${spec.name}`,
      license: 'MIT',
      // `mergebench list` and name lookups find installed plugins by this keyword.
      keywords: ['mergebench-plugin', 'model-merging'],
      type: 'module',
      sideEffects: false,
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './package.json': './package.json',
      },
      types: './dist/index.d.ts',
      files: ['dist', 'configs', 'README.md'],
      engines: { node: '>=20.19' },
      scripts: {
        build: 'tsc -p tsconfig.json',
        test: 'vitest run',
        check: 'mergebench check-plugin .',
        prepublishOnly: 'tsc -p tsconfig.json',
      },
      // Shared with the host: a plugin must use the same core and tfjs as mergebench itself.
      peerDependencies: { '@mergebench/core': v.core, '@tensorflow/tfjs': `^${v.tfjs}` },
      devDependencies: {
        '@mergebench/core': v.core,
        '@tensorflow/tfjs': v.tfjs,
        '@types/node': v.typesNode,
        typescript: v.typescript,
        vitest: v.vitest,
      },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        declaration: true,
        sourceMap: true,
        rootDir: 'src',
        outDir: 'dist',
        esModuleInterop: true,
        skipLibCheck: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
      },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000 },
});
`,
    // pnpm 12 fails an install whose dependencies have build scripts nobody allowed or denied.
    // tfjs-node's prebuilt binary is optional (mergebench falls back to other backends), core-js
    // only prints a banner; esbuild (vitest) is allowed, and so is @mergebench/merge-loops, the
    // native loops of the static merges (a failed build leaves them on JavaScript, same results).
    'pnpm-workspace.yaml': `# pnpm 12 refuses to install when a dependency's build script is neither allowed nor denied.
allowBuilds:
  esbuild: true
  core-js: false
  "@tensorflow/tfjs-node": false
  "@tensorflow/tfjs-node-gpu": false
  "@mergebench/merge-loops": true
`,
    '.gitignore': 'node_modules\ndist\nruns\n',
    'README.md': readme(spec),
  };
}

const KIND_WORDS = { method: 'merge method', modelpool: 'model pool', taskpool: 'task pool' };

function readme(spec: PluginSpec): string {
  const { packageName, name, kind } = spec;
  const run =
    kind === 'method'
      ? `method=${name} modelpool=toy taskpool=toy`
      : kind === 'modelpool'
        ? `method=dummy modelpool=${name} taskpool=toy`
        : `method=dummy modelpool=toy taskpool=${name}`;
  return `# ${packageName}

A mergebench ${KIND_WORDS[kind]} plugin: \`${kind}=${name}\`.

## Develop

\`\`\`sh
pnpm install      # or npm install
pnpm test         # conformance checks and a run on mergebench's toy pools
pnpm build        # dist/
pnpm check        # mergebench check-plugin . (the same conformance checks, from the command line)
\`\`\`

\`src/index.ts\` is the plugin (its default export registers the ${KIND_WORDS[kind]}), and
\`configs/${kind}/\` holds presets: \`${kind}=<preset>\` selects one.

## Use it

Install it beside mergebench, then name it; mergebench finds installed plugins by the
\`mergebench-plugin\` keyword in package.json:

\`\`\`sh
npm install @mergebench/core ${packageName}
npx mergebench list
npx mergebench run ${run}
\`\`\`

From a checkout of this folder without installing, load it by path, which is code you chose
to run, so mergebench asks for the flag:

\`\`\`sh
npx mergebench run --allow-plugin-paths plugins=[.] ${run}
\`\`\`

## Publish

\`\`\`sh
npm publish       # builds first (prepublishOnly)
\`\`\`

\`@mergebench/core\` and \`@tensorflow/tfjs\` are peer dependencies: the plugin shares the host's
copies (two copies of tfjs do not share a backend). To try the plugin in another project before
publishing, install a copy of it: \`pnpm add file:../${packageName}\` (pnpm copies \`file:\`
folders) or \`npm install --install-links ../${packageName}\`. A \`link:\` (or npm's default
symlink) would load a second tfjs from this folder's node_modules, which mergebench refuses in
one line naming both copies.
`;
}
