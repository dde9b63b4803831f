import { parseOverrides } from '../config/overrides.js';
import { MergebenchError } from '../errors.js';
import { importPlugin, isPluginPath, pluginPackageFailures, resolvePackage } from '../plugins/index.js';
import { pluginConformanceFailures } from '../testing/conformance.js';

const USAGE = 'usage: mergebench check-plugin <package or path> [<method>.<param>=value ...]';

/** `<method>.<param>=value` arguments → the parameters each method runs with on the toy pools. */
function methodParams(args: readonly string[]): Record<string, Record<string, unknown>> {
  const params: Record<string, Record<string, unknown>> = {};
  for (const { path, value } of parseOverrides(args)) {
    if (path.length !== 2) {
      throw new MergebenchError(`check-plugin: ${path.join('.')}: expected <method>.<param>=value`);
    }
    params[path[0]] ??= {};
    params[path[0]][path[1]] = value;
  }
  return params;
}

/**
 * `mergebench check-plugin <package or path>`: the conformance checks a plugin's own tests run,
 * from the command line, plus the package.json fields an installed plugin needs. Prints one line
 * per failure and fails; naming a path here is asking to run that code, so no flag is needed.
 */
export async function runCheckPlugin(
  args: readonly string[],
  cwd: string,
  print: (line: string) => void,
  printError: (line: string) => void,
): Promise<void> {
  const [spec, ...rest] = args;
  if (spec === undefined || spec.includes('=')) throw new MergebenchError(`check-plugin: ${USAGE}`);
  const pkg = resolvePackage(spec, cwd);
  if (!pkg) {
    throw new MergebenchError(
      `check-plugin: package '${spec}' is not installed (looked in node_modules from ${cwd} up); give a path to check a folder`,
    );
  }
  const packageFailures = isPluginPath(spec) && pkg.entry === pkg.name ? [] : pluginPackageFailures(pkg.dir);
  const plugin = await importPlugin(pkg);
  const failures = [
    ...packageFailures,
    ...(await pluginConformanceFailures(plugin, { methodParams: methodParams(rest) })),
  ];
  for (const failure of failures) printError(`check-plugin: ${plugin.name}: ${failure}`);
  if (failures.length > 0) {
    throw new MergebenchError(
      `check-plugin: ${plugin.name} failed ${failures.length} check${failures.length > 1 ? 's' : ''}`,
    );
  }
  print(`${plugin.name}: passes the conformance checks`);
}
