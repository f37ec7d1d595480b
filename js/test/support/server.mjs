// The real synckit-server binary as a child process of a test: a fresh SQLite database in a
// temporary directory, an app made with `app create`, then `serve --listen 127.0.0.1:PORT` plus the
// test's flags. Binary: $SYNCKIT_SERVER_BINARY, else the native-release build of this checkout.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, openSync, closeSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The OAuth redirect URIs registered for the test app (a private-use scheme and loopback, any port). */
export const REGISTERED_REDIRECTS = ['com.example.app:/oauth-done', 'http://127.0.0.1/callback'];
const redirectFlags = REGISTERED_REDIRECTS.flatMap((uri) => ['--redirect-uri', uri]);

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function serverBinary() {
  const binary = process.env.SYNCKIT_SERVER_BINARY ?? join(repo, 'build', 'native-release', 'server', 'synckit-server');
  if (!existsSync(binary)) throw new Error(`synckit-server not found at ${binary}: build the native-release preset or set SYNCKIT_SERVER_BINARY`);
  return binary;
}

export class ServerProcess {
  /** Starts a server; `flags` are appended to `serve` (for example ['--fault-rate', '0.3']). */
  static async start(flags = []) {
    const server = new ServerProcess(flags);
    await server.#serve(0);
    return server;
  }

  constructor(flags) {
    this.flags = flags;
    this.binary = serverBinary();
    this.dir = mkdtempSync(join(tmpdir(), 'synckit-js-test-'));
    this.dbPath = join(this.dir, 'server.db');
    this.logPath = join(this.dir, 'server.log');
    const out = execFileSync(this.binary, ['app', 'create', '--db', this.dbPath, '--name', 'js-tests', ...redirectFlags], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const key = out.split('\n').map((line) => line.trim()).find((line) => line.startsWith('sk_'));
    if (!key) throw new Error(`app create printed no API key: ${out}`);
    this.apiKey = key;
    this.port = 0;
    this.url = '';
    this.child = null;
  }

  /** How many sockets the server process holds open (its listener included), from /proc. */
  openSockets() {
    const dir = `/proc/${this.child.pid}/fd`;
    return readdirSync(dir).filter((fd) => {
      try {
        return readlinkSync(join(dir, fd)).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  }

  async #serve(port) {
    const log = openSync(this.logPath, 'a');
    const child = spawn(this.binary, ['serve', '--db', this.dbPath, '--listen', `127.0.0.1:${port}`, ...this.flags], {
      stdio: ['ignore', 'pipe', log],
    });
    closeSync(log);
    this.child = child;
    const url = await new Promise((resolveUrl, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('synckit-server did not start within 15 s')), 15000);
      child.stdout.on('data', (chunk) => {
        text += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`synckit-server exited (${code}) before listening: ${this.stderr()}`));
      });
    });
    this.url = url;
    this.port = Number(new URL(url).port);
  }

  /** Everything the server wrote on stderr (its request log). */
  stderr() {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  /** SIGKILL, as a crash would. */
  async kill9() {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM and wait for the exit. */
  async stop() {
    await this.#signal('SIGTERM');
  }

  /** Serves again on the same database and port. */
  async restart() {
    await this.#serve(this.port);
  }

  /** Stops the server and removes its directory. */
  async dispose() {
    await this.#signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #signal(signal) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
    this.child = null;
  }
}
