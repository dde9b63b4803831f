import { isMapping } from './mapping.js';

const MAX_LENGTH = 60;
const MAX_DEPTH = 3;

/** A value as an error message shows it: strings quoted, collections inline, long ones cut. */
export function formatValue(value: unknown): string {
  const text = render(value, 0);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function render(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  // YAML aliases can make cycles; messages only need the outer shape.
  if (depth > MAX_DEPTH && typeof value === 'object' && value !== null) return '…';
  if (Array.isArray(value)) return `[${value.map((item) => render(item, depth + 1)).join(', ')}]`;
  if (isMapping(value)) {
    const entries = Object.entries(value).map(([key, item]) => `${key}: ${render(item, depth + 1)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}
