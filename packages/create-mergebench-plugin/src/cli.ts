#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ScaffoldError, scaffold, TEMPLATES, type Template } from './scaffold.js';

const USAGE = `usage: create-mergebench-plugin <folder> [--template ${TEMPLATES.join('|')}] [--name NAME] [--package-name NAME]
  npm create mergebench-plugin my-method
  pnpm create mergebench-plugin my-pool --template modelpool`;

/** The package manager that started us (`npm create`, `pnpm create`), for the next steps. */
function packageManager(): string {
  const agent = process.env.npm_config_user_agent ?? '';
  return agent.startsWith('pnpm') ? 'pnpm' : agent.startsWith('yarn') ? 'yarn' : 'npm';
}

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        template: { type: 'string', short: 't' },
        name: { type: 'string' },
        'package-name': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`create-mergebench-plugin: ${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`create-mergebench-plugin: expected one folder name\n${USAGE}\n`);
    return 1;
  }
  try {
    const { dir, spec, files } = scaffold({
      dir: positionals[0],
      template: values.template as Template | undefined,
      name: values.name as string | undefined,
      packageName: values['package-name'] as string | undefined,
    });
    const pm = packageManager();
    const run = pm === 'npm' ? 'npm run' : pm;
    process.stdout.write(
      [
        `Created ${spec.packageName} (${spec.kind} '${spec.name}', @mergebench/core ${spec.versions.core}) in ${dir}:`,
        ...files.map((f) => `  ${f}`),
        '',
        'Next:',
        `  cd ${path.relative(process.cwd(), dir) || '.'}`,
        `  ${pm} install`,
        `  ${run} test`,
        `  ${run} build`,
        `  ${run} check`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if (!(e instanceof ScaffoldError)) throw e;
    process.stderr.write(`create-mergebench-plugin: ${e.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
