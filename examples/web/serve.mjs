// A tiny static server for the example: examples/web/ at /, the built npm package (js/dist/) at
// /synckit/, and /config.json (where the page learns serverUrl and apiKey). No dependencies.
//
// As a module:  const site = await serveExample({ port: 0, config: { serverUrl, apiKey } });
//               site.url, site.port, site.setConfig({...}), await site.close()
//               (options dist: another built package at /synckit/; pages: { '/path': text } served
//               instead of files, as the benchmarks and tests do, typed by the path's extension,
//               HTML without one)
// As a program: node examples/web/serve.mjs [--port N] [--server-url URL --api-key KEY]
//               node examples/web/serve.mjs --synckit-server PATH   (also starts a local server;
//               this is what examples/web/run does)
import { createServer } from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDist = resolve(here, '..', '..', 'js', 'dist');

// Browsers refuse ES modules without a JavaScript MIME type, and WebAssembly.instantiateStreaming
// wants application/wasm.
const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

// Maps a URL path to a file under one of the two roots; null for anything outside them.
function fileFor(pathname, dist) {
  const [root, rest] = pathname.startsWith('/synckit/')
    ? [dist, pathname.slice('/synckit/'.length)]
    : [here, pathname === '/' ? 'index.html' : pathname.slice(1)];
  const file = resolve(root, rest);
  return file === root || file.startsWith(root + sep) ? file : null;
}

/**
 * Starts the static server on 127.0.0.1 (port 0: a free one). `config` is what /config.json
 * returns; setConfig() replaces it later (the page's origin must be known before the SyncKit
 * server can start with --cors-origin).
 */
export async function serveExample({ port = 0, host = '127.0.0.1', config = {}, dist = packageDist, pages = {} } = {}) {
  let current = config;
  const server = createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    try {
      const { pathname } = new URL(req.url, 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
      if (pathname === '/config.json') return send(200, mimeTypes['.json'], JSON.stringify(current));
      if (pathname === '/favicon.ico') return send(204, 'text/plain', ''); // none: no 404 in the console
      if (Object.hasOwn(pages, pathname)) return send(200, mimeTypes[extname(pathname)] ?? mimeTypes['.html'], pages[pathname]);
      const file = fileFor(decodeURIComponent(pathname), resolve(dist));
      if (!file || !(await stat(file).catch(() => null))?.isFile()) return send(404, 'text/plain', 'not found\n');
      send(200, mimeTypes[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch (error) {
      send(500, 'text/plain', `${error.message}\n`);
    }
  });
  await new Promise((done, fail) => server.once('error', fail).listen(port, host, done));
  const actual = server.address().port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    setConfig(next) {
      current = next;
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}

// A synckit-server on a fresh SQLite database in a temporary directory, allowing `origin` (CORS),
// with one app made by `app create`. Resolves to { url, apiKey, stop() }.
async function startSyncKitServer(binary, origin) {
  const dir = mkdtempSync(join(tmpdir(), 'synckit-web-example-'));
  const db = join(dir, 'server.db');
  const created = execFileSync(binary, ['app', 'create', '--db', db, '--name', 'web-example'], { encoding: 'utf8' });
  const apiKey = created.trim().split('\n').pop().trim(); // the last line is the API key
  const child = spawn(binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--cors-origin', origin], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((done, fail) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) done(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`synckit-server exited (${code}) before listening`)));
  });
  return {
    url,
    apiKey,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(argv) {
  const flag = (name) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const site = await serveExample({
    port: Number(flag('--port') ?? process.env.PORT ?? 8080),
    config: { serverUrl: flag('--server-url') ?? '', apiKey: flag('--api-key') ?? '' },
  });
  let syncKitServer = null;
  const binary = flag('--synckit-server');
  if (binary) {
    // The page and the SyncKit server are on different ports, so they are different origins:
    // the browser checks the server's CORS answer on every request.
    syncKitServer = await startSyncKitServer(binary, site.url);
    site.setConfig({ serverUrl: syncKitServer.url, apiKey: syncKitServer.apiKey });
    console.log(`synckit-server: ${syncKitServer.url} (temporary SQLite database, CORS origin ${site.url})`);
  }
  console.log(`SyncKit web example: open ${site.url}/  (Ctrl-C stops)`);
  const stop = async () => {
    syncKitServer?.stop();
    await site.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(1);
  });
}
