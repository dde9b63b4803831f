import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MergebenchError } from '@mergebench/core';

/** The class names and prompt templates (`{}` stands for the class name) of one task's zero-shot head. */
export interface TaskPrompts {
  readonly classNames: readonly string[];
  readonly templates: readonly string[];
}

/** `prompts/<task>.json`: FusionBench's class names and templates, copied as data. */
const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

const loaded = new Map<string, TaskPrompts>();

export function taskPrompts(task: string): TaskPrompts {
  const cached = loaded.get(task);
  if (cached) return cached;
  const file = `${PROMPTS_DIR}${task}.json`;
  let json: { class_names?: unknown; templates?: unknown };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MergebenchError(`no prompts for task '${task}' (${file}: ${(error as Error).message})`);
  }
  const isStrings = (value: unknown): value is string[] =>
    Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
  if (!isStrings(json.class_names) || !isStrings(json.templates)) {
    throw new MergebenchError(`${file}: expected non-empty string arrays class_names and templates`);
  }
  const prompts = { classNames: json.class_names, templates: json.templates };
  loaded.set(task, prompts);
  return prompts;
}
