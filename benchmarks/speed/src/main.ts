// `pnpm bench` (what `pnpm bench:speed` at the root runs here): every subject's benchmark in turn,
// each in a process of its own with its default settings, or only the subjects named
// (`node dist/main.js wemoe regmean-solve`). Exits non-zero when any of them failed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The subjects, one folder each under src/, in the order they run. */
const SUBJECTS = [
  'adamerging',
  'wemoe',
  'e-wemoe',
  'clip-forward',
  'clip-data',
  'regmean-solve',
  'static-merge',
  'backend-native',
  'backend-webgpu',
  'weights-merge',
  'queue-overhead',
] as const;

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(SUBJECTS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`unknown subject ${unknown[0]}; expected ${SUBJECTS.join(', ')}`);

const failed: string[] = [];
for (const subject of asked.length > 0 ? asked : SUBJECTS) {
  process.stderr.write(`\n== ${subject}\n`);
  const script = fileURLToPath(new URL(`./${subject}/main.js`, import.meta.url));
  const run = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(`${subject} (exit ${run.status ?? run.signal})`);
}
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
