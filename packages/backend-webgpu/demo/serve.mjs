// `pnpm demo` (node demo/serve.mjs [port]): bundles the demo page's script from this package's
// sources (rolldown, a dev dependency already here) into demo/dist/page.js and serves demo/ on
// http://127.0.0.1:<port>/ (8087 by default; WebGPU needs a secure context, and localhost is one).
// The test imports startDemoServer and serves on a free port.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Bundles page.ts (with tfjs, tfjs-backend-webgpu and this package's browser entry) for browsers. */
export async function buildDemo() {
  const build = await rolldown({
    input: path.join(here, 'page.ts'),
    platform: 'browser',
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    logLevel: 'silent',
  });
  await build.write({
    file: path.join(here, 'dist', 'page.js'),
    format: 'esm',
    codeSplitting: false,
    minify: true,
  });
  await build.close();
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const FILES = new Map([
  ['/', 'index.html'],
  ['/index.html', 'index.html'],
  ['/dist/page.js', 'dist/page.js'],
]);

/** Builds the page (unless `build` is false) and serves it on 127.0.0.1; resolves with its address. */
export async function startDemoServer({ port = 0, build = true } = {}) {
  if (build) await buildDemo();
  const server = createServer(async (request, response) => {
    const file = FILES.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(path.join(here, file));
      response
        .writeHead(200, { 'content-type': TYPES[path.extname(file)], 'cache-control': 'no-store' })
        .end(body);
    } catch (e) {
      response.writeHead(500).end(String(e));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { url } = await startDemoServer({ port: Number(process.argv[2] ?? process.env.PORT ?? 8087) });
  process.stdout.write(
    `demo built in ${((Date.now() - started) / 1000).toFixed(1)} s, serving ${url} (Ctrl-C stops)\n`,
  );
}
