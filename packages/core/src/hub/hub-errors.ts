import { HubApiError } from '@huggingface/hub';
import { MergebenchError } from '../errors.js';
import type { HubRepo } from './cache.js';

/** What was being asked of the Hub when something failed, for the one-line message. */
export interface HubRequestContext {
  readonly repo: HubRepo;
  readonly endpoint: string;
  /** Where the token came from (`HF_TOKEN`, a token file); undefined when none was sent. */
  readonly tokenSource?: string;
}

/** `model 'owner/name' at v1` */
export function describeRepo(repo: HubRepo): string {
  const revision = repo.revision && repo.revision !== 'main' ? ` at ${repo.revision}` : '';
  return `${repo.type} '${repo.id}'${revision}`;
}

/** Why a fetch threw without an answer: `ECONNREFUSED`, `ENOTFOUND`, or the message. */
function networkReason(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
    .cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? error.message;
}

/** Whether `error` is fetch failing to reach a server at all (no HTTP answer). */
export function isNetworkFailure(error: unknown): error is Error {
  return error instanceof TypeError && error.message === 'fetch failed';
}

/**
 * Turns a failure of @huggingface/hub into a MergebenchError of one line: refused access (401,
 * 403) says whether a token was sent, 404 names the repo and revision, an unreachable server
 * names the endpoint. Anything else keeps the Hub's own message.
 */
export function hubError(error: unknown, ctx: HubRequestContext): Error {
  if (error instanceof MergebenchError) return error;
  const what = describeRepo(ctx.repo);
  if (error instanceof HubApiError) {
    const status = error.statusCode;
    if (status === 401 || status === 403) {
      return new MergebenchError(
        ctx.tokenSource
          ? `${what}: ${ctx.endpoint} refused the token from ${ctx.tokenSource} (HTTP ${status}); check that it may read this repo (gated repos need their terms accepted on the Hub)`
          : `${what}: ${ctx.endpoint} refused access (HTTP ${status}); the repo is private or gated (or does not exist) and needs a token: set HF_TOKEN`,
      );
    }
    if (status === 404) {
      return new MergebenchError(
        `${what}: not found on ${ctx.endpoint}; check the repo id, --repo-type (model or dataset) and --revision (${ctx.repo.revision ?? 'main'})`,
      );
    }
    const detail = error.message.split('\n')[0].split('. URL: ')[0];
    return new MergebenchError(`${what}: ${ctx.endpoint} answered HTTP ${status}: ${detail}`);
  }
  if (isNetworkFailure(error)) {
    return new MergebenchError(
      `${what}: cannot reach the Hub at ${ctx.endpoint} (${networkReason(error)}); check HF_ENDPOINT and the network, or set HF_HUB_OFFLINE=1 to use the cache only`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
