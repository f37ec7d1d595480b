// tests/hostile/hostile_server.py (a tampering proxy in front of a real synckit-server, shared with
// the native hostile tests) as a child process, and its control endpoint.
import { spawn } from 'node:child_process';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'tests', 'hostile', 'hostile_server.py');

export class HostileProxy {
  static async start(upstream) {
    const proxy = new HostileProxy();
    proxy.child = spawn(process.env.SYNCKIT_PYTHON ?? '/usr/bin/python3', [script, '--upstream', upstream], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    proxy.url = await new Promise((resolveUrl, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('hostile_server.py did not start')), 15000);
      proxy.child.stdout.on('data', (chunk) => {
        text += chunk.toString();
        const match = /hostile listening on (http:\/\/\S+)/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      proxy.child.once('exit', (code) => reject(new Error(`hostile_server.py exited (${code})`)));
    });
    return proxy;
  }

  async #control(method, path, body) {
    const reply = await fetch(`${this.url}/__hostile/${path}`, {
      method,
      ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
    });
    if (!reply.ok) throw new Error(`hostile control ${path}: HTTP ${reply.status}`);
    return reply.json();
  }

  /** Arms a scenario: {scenario, match, method?, times?, ...parameters}. */
  arm(spec) {
    return this.#control('POST', 'scenario', spec);
  }

  reset() {
    return this.#control('POST', 'reset', {});
  }

  stats() {
    return this.#control('GET', 'stats');
  }

  async dispose() {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((done) => this.child.once('exit', done));
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
