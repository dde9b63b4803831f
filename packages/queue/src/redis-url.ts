import { MergebenchError } from '@mergebench/core';
import type { ConnectionOptions } from 'bullmq';

/** A Redis server to reach, and how to name it in messages without its password. */
export interface RedisTarget {
  readonly connection: ConnectionOptions;
  /** The URL with its password replaced by `***`: the only form ever written to logs or files. */
  readonly shown: string;
}

/** `redis://user:secret@host:6379/2` → `redis://user:***@host:6379/2`; also for URLs that do not parse. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

const USAGE = 'expected redis://[user:password@]host[:port][/db] or rediss:// for TLS';

/**
 * Parses `redis://[user:pass@]host[:port][/db]` (`rediss://` for TLS). Errors name the URL with
 * its password hidden. The connection never gives up reconnecting by itself (BullMQ's workers
 * need that); the coordinator watches for an unreachable server instead (see unreachable.ts).
 */
export function parseRedisUrl(url: string): RedisTarget {
  const shown = redactRedisUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MergebenchError(`queue URL ${shown}: not a URL; ${USAGE}`);
  }
  const tls = parsed.protocol === 'rediss:';
  if (!tls && parsed.protocol !== 'redis:')
    throw new MergebenchError(
      `queue URL ${shown}: scheme ${parsed.protocol} is not redis: or rediss:; ${USAGE}`,
    );
  if (parsed.hostname === '') throw new MergebenchError(`queue URL ${shown}: no host; ${USAGE}`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new MergebenchError(`queue URL ${shown}: database '${dbText}' is not a number; ${USAGE}`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals come bracketed
  return {
    shown,
    connection: {
      host,
      port,
      db,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...(tls ? { tls: { servername: host } } : {}),
      // Workers block on Redis and must wait through a restart; BullMQ requires null here.
      maxRetriesPerRequest: null,
    },
  };
}
