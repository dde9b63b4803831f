#!/usr/bin/env node
import { builtinPlugin } from '../builtin/plugin.js';
import { formatConfig } from '../config/index.js';
import { MergebenchError } from '../errors.js';
import { ComponentRegistry, loadInstalledPlugins, registerPlugin } from '../plugins/index.js';
import { stderrLogger } from '../program/loggers.js';
import { resolveRun } from '../program/resolve-config.js';
import { runProgram } from '../program/run.js';
import { version } from '../version.js';
import { type CliArgs, parseCliArgs } from './args.js';
import { componentListJson, formatComponentList } from './list.js';

const HELP = `mergebench ${version}: merge fine-tuned models and benchmark merge methods

usage:
  mergebench run [key=value ...] [--config FILE] [--backend NAME] [--verbose]
      run a method on a model pool and evaluate it on a task pool, e.g.
      mergebench run method=ties modelpool=clip-vit-b32 taskpool=eight-tasks method.scaling_factor=0.4 seed=1
  mergebench config --show [key=value ...] [--config FILE]   print the resolved config
  mergebench list [--json]                                   installed methods, model pools, task pools
  mergebench --version | --help

backends (--backend or MERGEBENCH_BACKEND): auto, tfjs-node-gpu, tfjs-node, native, wasm, cpu`;

async function main(args: CliArgs): Promise<void> {
  if (args.flags.version) return void console.log(version);
  if (args.flags.help || args.command === undefined || args.command === 'help') return void console.log(HELP);
  const cwd = process.cwd();
  switch (args.command) {
    case 'run': {
      const outcome = await runProgram({
        cwd,
        configPath: args.flags.config,
        overrides: args.overrides,
        backend: args.flags.backend,
        logger: stderrLogger({ verbose: args.flags.verbose }),
      });
      console.log(outcome.summary);
      console.log(`report: ${outcome.runDir}/report.json`);
      return;
    }
    case 'config': {
      if (!args.flags.show) throw new MergebenchError('config: use `mergebench config --show [key=value ...]`');
      const resolved = await resolveRun({ cwd, configPath: args.flags.config, overrides: args.overrides });
      // Show the values every component will actually get: its declared defaults filled in.
      const { config } = resolved;
      const withDefaults = {
        ...config,
        method: { name: config.method.name, ...resolved.method.params },
        modelpool: { name: config.modelpool.name, ...resolved.modelpool.params },
        taskpool: { name: config.taskpool.name, ...resolved.taskpool.params },
      };
      return void process.stdout.write(formatConfig(withDefaults));
    }
    case 'list': {
      const registry = new ComponentRegistry();
      registerPlugin(registry, builtinPlugin, 'builtin');
      await loadInstalledPlugins(registry, cwd);
      console.log(args.flags.json ? JSON.stringify(componentListJson(registry), null, 2) : formatComponentList(registry));
      return;
    }
    default:
      throw new MergebenchError(`unknown command '${args.command}'; commands: run, config, list (see --help)`);
  }
}

let verbose = false;
try {
  const args = parseCliArgs(process.argv.slice(2));
  verbose = Boolean(args.flags.verbose);
  await main(args);
} catch (e) {
  if (e instanceof MergebenchError) {
    process.stderr.write(`mergebench: error: ${e.message}\n`);
    if (verbose) process.stderr.write(`${e.stack}\n`);
  } else {
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`mergebench: unexpected error: ${err.message.split('\n')[0]}\n`);
    process.stderr.write(verbose ? `${err.stack}\n` : 'run again with --verbose for the stack trace\n');
  }
  process.exitCode = 1;
}
