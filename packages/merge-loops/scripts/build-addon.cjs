// Builds the native addon with node-gyp when the package is installed. It never fails the install:
// on a machine without a C++ compiler the package stays installed without its addon,
// build/unavailable.txt records why, and loadMergeLoops() returns undefined with that reason, so
// that merges run on the JavaScript loops.
// backend-native's install script is the same recipe: each is kept in its own package because an
// install script runs from the published package alone, before any other package is there.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const unavailable = path.join(buildDir, 'unavailable.txt');

function record(reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(unavailable, `${reason}\n`);
  process.stderr.write(`@mergebench/merge-loops: native addon not built: ${reason}\n`);
}

/** node-gyp from this package's dependencies, else the copy bundled with npm. */
function findNodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    const bundled = path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    );
    return existsSync(bundled) ? bundled : undefined;
  }
}

/** Node's own headers when they are installed beside it (Debian's nodejs, official tarballs): no download. */
function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The first line of a failed build's output that says what is missing. */
function explain(output) {
  if (
    /(g\+\+|c\+\+|make): (not found|No such file|command not found)|not found: make|No C\+\+ compiler/i.test(
      output,
    )
  )
    return 'no C++ toolchain (install it: apt-get install g++ make python3)';
  if (/Could not find any Python|find Python/i.test(output))
    return 'node-gyp needs python3 (apt-get install python3)';
  const error = output
    .split('\n')
    .find(
      (line) =>
        /error/i.test(line) && !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(line),
    );
  return (error ?? output.trim().split('\n').at(-1) ?? 'node-gyp failed').trim().slice(0, 200);
}

function main() {
  rmSync(unavailable, { force: true });
  if (process.env.MERGEBENCH_MERGE_LOOPS_SKIP_BUILD) {
    record('build skipped (MERGEBENCH_MERGE_LOOPS_SKIP_BUILD is set)');
    return;
  }
  const nodeGyp = findNodeGyp();
  if (nodeGyp === undefined) {
    record('node-gyp not found');
    return;
  }
  const dir = nodeDir();
  const args = [nodeGyp, 'rebuild', ...(dir ? [`--nodedir=${dir}`] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  if (result.status !== 0) {
    record(explain(output));
    return;
  }
  process.stderr.write('@mergebench/merge-loops: native addon built\n');
}

try {
  main();
} catch (e) {
  record(e instanceof Error ? e.message : String(e));
}
