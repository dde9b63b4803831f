import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The dependency ranges a new plugin starts with. */
export interface Versions {
  /** Peer range on @mergebench/core, e.g. `^0.2.0`. */
  readonly core: string;
  /** Exact tfjs for development, and `^` of it as the peer range. */
  readonly tfjs: string;
  readonly typescript: string;
  readonly vitest: string;
  readonly typesNode: string;
}

interface Manifest {
  devDependencies?: Record<string, string>;
  version?: string;
}

const require = createRequire(import.meta.url);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/**
 * The ranges come from this package's own devDependencies, so a scaffolder published together
 * with core names the core it was released with: `pnpm publish` rewrites `workspace:^` to the
 * published `^x.y.z`. Run from the repository, the range is still `workspace:^`, and the
 * version of the core installed beside it is used instead.
 */
export function templateVersions(): Versions {
  const dev = readJson(require.resolve('../package.json')).devDependencies ?? {};
  const pick = (name: string): string => {
    const range = dev[name];
    if (range === undefined) throw new Error(`create-mergebench-plugin: package.json lacks ${name}`);
    return range;
  };
  let core = pick('@mergebench/core');
  if (core.startsWith('workspace:')) {
    core = `^${readJson(require.resolve('@mergebench/core/package.json')).version}`;
  }
  return {
    core,
    tfjs: pick('@tensorflow/tfjs'),
    typescript: pick('typescript'),
    vitest: pick('vitest'),
    typesNode: pick('@types/node'),
  };
}
