import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file of a test repository; LFS files are served through a redirect, like the Hub's. */
export interface HubFile {
  readonly path: string;
  readonly content: Buffer;
  readonly lfs?: boolean;
}

export interface TestRepo {
  readonly type: 'model' | 'dataset';
  readonly id: string;
  readonly commit: string;
  readonly files: readonly HubFile[];
  /** Answers 401 unless `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly range?: string;
  readonly authorization?: string;
}

export interface TestHub {
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  /** Paths (`<id>/<file>`) whose next full-body answer stops halfway and drops the connection. */
  readonly dropOnce: Set<string>;
  close(): Promise<void>;
}

/** git's blob id, which the Hub lists as `oid` and huggingface_hub names small blobs by. */
export function gitOid(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function randomCommit(): string {
  return randomBytes(20).toString('hex');
}

/** A deterministic pseudo-random body of `size` bytes (big enough to arrive in several chunks). */
export function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Serves `content` honouring `Range: bytes=a-b` (206), or drops the connection halfway. */
function serveBody(
  req: IncomingMessage,
  res: ServerResponse,
  content: Buffer,
  etag: string,
  drop: boolean,
): void {
  const headers = { ETag: `"${etag}"`, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
    if (start >= content.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${content.length}` });
      return void res.end();
    }
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${content.length}`,
      'Content-Length': String(end - start + 1),
    });
    return void res.end(content.subarray(start, end + 1));
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(content.length) });
  if (!drop) return void res.end(content);
  // Half the body reaches the client, then the connection goes: an interrupted download.
  res.write(content.subarray(0, content.length >> 1), () => setTimeout(() => res.socket?.destroy(), 50));
}

/**
 * A small Hugging Face Hub on 127.0.0.1 answering what @huggingface/hub asks: repo info
 * (`/api/<type>s/<id>/revision/<rev>`, with `sha`), the tree API, and `resolve` URLs with ETag,
 * X-Repo-Commit, Content-Range and ranges; LFS files redirect to a blob URL with X-Linked-Etag.
 */
export async function startTestHub(repos: readonly TestRepo[]): Promise<TestHub> {
  const requests: SeenRequest[] = [];
  const dropOnce = new Set<string>();
  const lfsBlobs = new Map<string, { content: Buffer; key: string }>();
  for (const repo of repos)
    for (const f of repo.files)
      if (f.lfs) lfsBlobs.set(sha256(f.content), { content: f.content, key: `${repo.id}/${f.path}` });
  /** Whether this answer is the one to cut: a full body of a file marked in dropOnce. */
  const dropping = (key: string, req: IncomingMessage) => !req.headers.range && dropOnce.delete(key);
  const find = (type: string, id: string) => repos.find((r) => r.type === type && r.id === id);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    requests.push({
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
    const p = decodeURIComponent(url.pathname);
    const blob = /^\/lfs-blobs\/([0-9a-f]{64})$/.exec(p);
    if (blob) {
      const found = lfsBlobs.get(blob[1]);
      if (!found) return json(res, 404, { error: 'no such blob' });
      return serveBody(req, res, found.content, blob[1], dropping(found.key, req));
    }
    const api = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/(revision|tree)\/(.+)$/.exec(p);
    const resolve = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p);
    const type = api ? api[1].slice(0, -1) : resolve?.[1] ? 'dataset' : 'model';
    const repo = api ? find(type, api[2]) : resolve ? find(type, resolve[2]) : undefined;
    if (!api && !resolve) return json(res, 404, { error: 'not an endpoint' });
    if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`)
      return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    const revision = api ? api[4] : resolve![3];
    if (revision !== 'main' && revision !== repo.commit)
      return json(res, 404, { error: `Revision Not Found for url` }, { 'X-Error-Code': 'RevisionNotFound' });
    if (api?.[3] === 'revision')
      return json(res, 200, {
        _id: `id-${repo.id}`,
        id: repo.id,
        sha: repo.commit,
        private: !!repo.token,
        lastModified: '2026-01-01T00:00:00.000Z',
        downloads: 0,
        likes: 0,
        gated: false,
      });
    if (api) {
      const dirs = [
        ...new Set(
          repo.files.flatMap((f) =>
            f.path
              .split('/')
              .slice(0, -1)
              .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
          ),
        ),
      ];
      return json(res, 200, [
        ...dirs.map((d) => ({ type: 'directory', oid: gitOid(Buffer.from(d)), size: 0, path: d })),
        ...repo.files.map((f) => ({
          type: 'file',
          oid: f.lfs ? gitOid(Buffer.from(`lfs pointer ${sha256(f.content)}`)) : gitOid(f.content),
          size: f.content.length,
          path: f.path,
          ...(f.lfs ? { lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 } } : {}),
        })),
      ]);
    }
    const file = repo.files.find((f) => f.path === resolve![4]);
    if (!file) return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
    if (file.lfs) {
      const oid = sha256(file.content);
      res.writeHead(302, {
        Location: `/lfs-blobs/${oid}`,
        'X-Repo-Commit': repo.commit,
        'X-Linked-Etag': `"${oid}"`,
        'X-Linked-Size': String(file.content.length),
      });
      return void res.end();
    }
    res.setHeader('X-Repo-Commit', repo.commit);
    serveBody(req, res, file.content, gitOid(file.content), dropping(`${repo.id}/${file.path}`, req));
  };

  const server: Server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    dropOnce,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
