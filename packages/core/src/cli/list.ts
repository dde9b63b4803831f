import { COMPONENT_KINDS } from '../contracts/component.js';
import type { ParamSpec } from '../contracts/params.js';
import type { ComponentRegistry } from '../plugins/registry.js';

function describeParam(p: ParamSpec): string {
  const def = p.default === undefined ? 'required' : `default ${JSON.stringify(p.default)}`;
  const choices = p.choices ? `, one of ${p.choices.join('|')}` : '';
  return `      ${p.name} (${p.type}, ${def}${choices}): ${p.description}`;
}

/** The text of `mergebench list`: every installed component with its parameters and paper. */
export function formatComponentList(registry: ComponentRegistry): string {
  const lines: string[] = [];
  for (const kind of COMPONENT_KINDS) {
    lines.push(`${kind}s:`);
    for (const { component, source } of registry.list(kind)) {
      const { info } = component;
      lines.push(`  ${info.name}  (${source})  ${info.description}`);
      if (info.paper) lines.push(`      paper: ${info.paper.title} <${info.paper.url}>`);
      for (const p of info.params) lines.push(describeParam(p));
    }
  }
  return lines.join('\n');
}

/** The same listing as JSON, for tools. */
export function componentListJson(registry: ComponentRegistry): unknown {
  return Object.fromEntries(
    COMPONENT_KINDS.map((kind) => [
      kind,
      registry.list(kind).map(({ component, source }) => ({ ...component.info, package: source })),
    ]),
  );
}
