import { formatConfig } from '../config/index.js';
import { MergebenchError } from '../errors.js';
import { silentLogger, stderrLogger } from '../program/loggers.js';
import { resolveRun } from '../program/resolve-config.js';
import { runProgram } from '../program/run.js';
import { version } from '../version.js';
import { type CliArgs, parseCliArgs } from './args.js';
import { runCheckPlugin } from './check-plugin.js';
import { runDownload } from './download.js';
import { componentListJson, formatComponentList, listRegistry } from './list.js';
import { describeCommands, pluginCommands } from './plugin-commands.js';

const HELP = `mergebench ${version}: merge fine-tuned models and benchmark merge methods

usage:
  mergebench run [key=value ...] [--config FILE] [--backend NAME] [--allow-plugin-paths] [--verbose] [--fresh]
      run a method on a model pool and evaluate it on a task pool, e.g.
      mergebench run method=ties modelpool=clip-vit-b32 taskpool=eight-tasks method.scaling_factor=0.4 seed=1
      an existing run_name resumes only a run of the same configuration; --fresh deletes it first
      plugins load by installed package name; a path (plugins=[./x], method=./x) only from a
      JavaScript config file or with --allow-plugin-paths
  mergebench config --show [key=value ...] [--config FILE]   print the resolved config
  mergebench list [--json] [--config FILE]                   installed methods, model pools, task pools
  mergebench check-plugin <package or path> [<method>.<param>=value ...]
      the conformance checks of a plugin (declarations, presets, toy runs, leaks, determinism)
  mergebench download <preset or owner/name>... [param=value ...] [--repo-type model|dataset]
                      [--revision REV] [--include GLOB]... [--cache-dir DIR]
      fetch models and data sets into the Hugging Face cache (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT,
      HF_TOKEN, HF_HUB_OFFLINE); by default a model's *.safetensors, *.json and *.txt files and
      a data set's README.md and *.parquet files; a preset fetches what its component reads,
      with param=value set on the presets that have it (download_train=true: train splits too)
  mergebench <command> ...   a command an installed plugin provides (mergebench list shows them)
  mergebench --version | --help

backends (--backend or MERGEBENCH_BACKEND): auto, tfjs-node-gpu, webgpu, tfjs-node, native, wasm, cpu`;

const BUILTIN_COMMANDS = new Set(['run', 'config', 'list', 'download', 'check-plugin', 'help']);

export interface CliIo {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: CliIo = {
  cwd: process.cwd(),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

async function dispatch(args: CliArgs, io: CliIo): Promise<void> {
  const { cwd } = io;
  const print = (text: string) => io.out(`${text}\n`);
  if (args.flags.version) return print(version);
  if (args.flags.help || args.command === undefined || args.command === 'help') return print(HELP);
  switch (args.command) {
    case 'run': {
      const outcome = await runProgram({
        cwd,
        configPath: args.flags.config,
        overrides: args.overrides,
        backend: args.flags.backend,
        pluginPaths: args.flags['allow-plugin-paths'] ? 'allowed' : 'code',
        fresh: args.flags.fresh,
        logger: io === processIo ? stderrLogger({ verbose: args.flags.verbose }) : silentLogger,
      });
      print(outcome.summary);
      print(`report: ${outcome.runDir}/report.json`);
      return;
    }
    case 'config': {
      if (!args.flags.show)
        throw new MergebenchError('config: use `mergebench config --show [key=value ...]`');
      // Printing a config must be safe on any input: it imports no plugin from a path.
      const resolved = await resolveRun({
        cwd,
        configPath: args.flags.config,
        overrides: args.overrides,
        pluginPaths: 'never',
      });
      // Show the values every component will actually get: its declared defaults filled in.
      const { config } = resolved;
      const withDefaults = {
        ...config,
        method: { name: config.method.name, ...resolved.method.params },
        modelpool: { name: config.modelpool.name, ...resolved.modelpool.params },
        taskpool: { name: config.taskpool.name, ...resolved.taskpool.params },
      };
      return io.out(formatConfig(withDefaults));
    }
    case 'list': {
      const { registry, failures } = await listRegistry(cwd, args.flags.config);
      print(
        args.flags.json
          ? JSON.stringify(componentListJson(registry), null, 2)
          : formatComponentList(registry),
      );
      for (const f of failures) io.err(`warning: plugin ${f.spec} could not be loaded: ${f.error}\n`);
      return;
    }
    case 'download':
      return runDownload(args, io, io === processIo);
    case 'check-plugin':
      return runCheckPlugin(args.overrides, cwd, print, (line) => io.err(`${line}\n`));
    default:
      throw new MergebenchError(
        `unknown command '${args.command}'; commands: run, config, list, download, check-plugin (see --help); ${describeCommands((await pluginCommands(cwd)).commands)}`,
      );
  }
}

/**
 * Runs the CLI and returns its exit code. Errors the user can fix print one line; anything else
 * prints one line and, with --verbose, the stack.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let verbose = false;
  try {
    // A command of an installed plugin parses its own arguments; the built-ins always win.
    const first = argv[0];
    if (first !== undefined && !BUILTIN_COMMANDS.has(first) && /^[a-z][a-z0-9-]*$/.test(first)) {
      const found = (await pluginCommands(io.cwd)).commands.find((c) => c.command.name === first);
      if (found) {
        verbose = argv.includes('--verbose');
        return (await found.command.run(argv.slice(1), io)) ?? 0;
      }
    }
    const args = parseCliArgs(argv);
    verbose = Boolean(args.flags.verbose);
    await dispatch(args, io);
    return 0;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (e instanceof MergebenchError) io.err(`mergebench: error: ${err.message}\n`);
    else {
      io.err(`mergebench: unexpected error: ${err.message.split('\n')[0]}\n`);
      if (!verbose) io.err('run again with --verbose for the stack trace\n');
    }
    if (verbose) io.err(`${err.stack}\n`);
    return 1;
  }
}
