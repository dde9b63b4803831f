import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MergebenchError } from '../errors.js';

/** The Hub's address: `HF_ENDPOINT` (a mirror or a local server), else huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/** A token and where it came from, for messages that must not print the token itself. */
export interface HubToken {
  readonly token: string;
  readonly source: string;
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (huggingface_hub's order). */
function hfHome(env: NodeJS.ProcessEnv): string {
  if (env.HF_HOME) return resolve(env.HF_HOME);
  return resolve(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
}

/**
 * The access token huggingface_hub would use: `HF_TOKEN`, else the file `huggingface-cli login`
 * writes (`HF_TOKEN_PATH`, default `$HF_HOME/token`). Undefined when there is none. Tokens are
 * checked for the `hf_` prefix here, because the client otherwise throws a bare TypeError.
 */
export function hubToken(env: NodeJS.ProcessEnv = process.env): HubToken | undefined {
  let found: HubToken | undefined;
  if (env.HF_TOKEN?.trim()) found = { token: env.HF_TOKEN.trim(), source: 'HF_TOKEN' };
  else {
    const file = env.HF_TOKEN_PATH ? resolve(env.HF_TOKEN_PATH) : join(hfHome(env), 'token');
    let text = '';
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
    if (text) found = { token: text, source: file };
  }
  if (found && !found.token.startsWith('hf_'))
    throw new MergebenchError(`${found.source}: expected a Hugging Face access token starting with hf_`);
  return found;
}
