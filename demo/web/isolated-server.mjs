// A small static server for pages that need shared memory: every answer
// carries COOP same-origin and COEP require-corp, so the page is
// crossOriginIsolated and SharedArrayBuffer exists. Serves only the folders
// it is given, on loopback.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * Serves `mounts` ({ '/url/prefix/': '/abs/dir' }; '/' for the rest) on
 * host:port (port 0 picks a free one). Resolves with { url, close() }.
 */
export async function startIsolatedServer({ mounts, port = 0, host = '127.0.0.1' }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length); // longest first
  const server = createServer(async (request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      return answer(response, 400, 'text/plain', 'bad request');
    }
    const prefix = prefixes.find((p) => path.startsWith(p));
    const file = prefix && resolveInside(mounts[prefix], path.slice(prefix.length) || 'index.html');
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) return answer(response, 404, 'text/plain', 'not found');
    try {
      const body = await readFile(file.endsWith(sep) ? join(file, 'index.html') : file);
      answer(response, 200, TYPES[extname(file)] ?? 'application/octet-stream', request.method === 'HEAD' ? undefined : body);
    } catch {
      answer(response, 404, 'text/plain', 'not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address();
  return {
    url: `http://${host}:${bound}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// A request path inside `root`, or undefined when it tries to leave it.
function resolveInside(root, relativePath) {
  const file = normalize(join(root, relativePath));
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function answer(response, status, type, body) {
  response.writeHead(status, { 'content-type': type, ...ISOLATION });
  response.end(body);
}
