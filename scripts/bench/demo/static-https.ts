/**
 * Change 5 of build-demo.sh: a small static HTTPS server for the demo's
 * built app (server/public), in place of the browser-sync live server the
 * demo's gulpfile starts. The app must come over HTTPS because it opens its
 * WebSocket with wss:// to the page's own host name.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { nextEvent } from '../../../server/testkit/wait.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(root: string, tls: { cert: string; key: string }, port: number): Promise<StaticServer> {
  const server = https.createServer({ cert: await readFile(tls.cert), key: await readFile(tls.key) }, (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'https://host').pathname);
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  server.listen(port, '127.0.0.1');
  await nextEvent(server, 'listening', 5_000, `the demo's static HTTPS server on port ${port}`);
  return {
    url: `https://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await nextEvent(server, 'close', 5_000, "the demo's static HTTPS server to close");
    },
  };
}
