// The part of XMLHttpRequest that Emscripten fetch uses, over node:http and node:https, for Node
// (which has no XMLHttpRequest). Given to the wasm module only; no global is set. Unlike a browser
// it never follows redirects (a 3xx is the response) and it refuses bodies over maxResponseBytes.
import * as http from 'node:http';
import * as https from 'node:https';

// Connections are kept alive between requests (the server closes idle ones after a few seconds;
// a request that meets a closed connection fails as a network error, which the client retries).
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

type Handler = ((event: { loaded: number; total: number }) => void) | null;

export class NodeXMLHttpRequest {
  /** Larger response bodies fail the request (as a network error); the client's limit is lower. */
  static maxResponseBytes = 96 * 1024 * 1024;

  readyState = 0;
  status = 0;
  statusText = '';
  response: ArrayBuffer | null = null;
  responseURL = '';
  responseType = '';
  timeout = 0;
  withCredentials = false;
  onload: Handler = null;
  onerror: Handler = null;
  ontimeout: Handler = null;
  onprogress: Handler = null;
  onreadystatechange: Handler = null;

  #method = 'GET';
  #url = '';
  #headers: Record<string, string> = {};
  #responseHeaders = '';
  #request: http.ClientRequest | null = null;
  #done = false;

  open(method: string, url: string): void {
    this.#method = method;
    this.#url = url;
    this.#setState(1);
  }

  setRequestHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  overrideMimeType(): void {}

  getAllResponseHeaders(): string {
    return this.#responseHeaders;
  }

  abort(): void {
    this.#done = true;
    this.#request?.destroy();
  }

  send(body?: Uint8Array | null): void {
    let url: URL;
    try {
      url = new URL(this.#url);
    } catch {
      queueMicrotask(() => this.#fail('error'));
      return;
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      queueMicrotask(() => this.#fail('error'));
      return;
    }
    const headers: Record<string, string | number> = { ...this.#headers };
    if (body && body.length > 0) headers['Content-Length'] = body.length;
    const options = { method: this.#method, headers };
    const request = secure
      ? https.request(url, { ...options, agent: agents.https })
      : http.request(url, { ...options, agent: agents.http });
    this.#request = request;
    if (this.timeout > 0) {
      request.setTimeout(this.timeout, () => this.#fail('timeout'));
      // setTimeout above is idle time; the XMLHttpRequest timeout is the whole request.
      const whole = setTimeout(() => this.#fail('timeout'), this.timeout);
      request.on('close', () => clearTimeout(whole));
    }
    request.on('error', () => this.#fail('error'));
    request.on('response', (response) => this.#receive(response));
    request.end(body && body.length > 0 ? Buffer.from(body.buffer, body.byteOffset, body.length) : undefined);
  }

  #receive(response: http.IncomingMessage): void {
    this.status = response.statusCode ?? 0;
    this.statusText = response.statusMessage ?? '';
    this.responseURL = this.#url;
    const lines: string[] = [];
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
      lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
    }
    this.#responseHeaders = lines.map((line) => `${line}\r\n`).join('');
    this.#setState(2);
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > NodeXMLHttpRequest.maxResponseBytes) {
      this.#fail('error');  // refused before any of it is read
      return;
    }
    // With a Content-Length the body is written into one buffer of that size (no chunk list, no
    // concatenated copy): a 64 MiB blob is held once here.
    let body: Uint8Array | null = Number.isFinite(declared) && declared >= 0 ? new Uint8Array(declared) : null;
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (this.#done) return;
      if (size + chunk.length > (body ? body.length : NodeXMLHttpRequest.maxResponseBytes)) {
        this.#fail('error');  // more than announced, or over the limit
        return;
      }
      if (body) body.set(chunk, size);
      else chunks.push(chunk);
      size += chunk.length;
    });
    response.on('aborted', () => this.#fail('error'));
    response.on('error', () => this.#fail('error'));
    response.on('end', () => {
      if (this.#done) return;
      if (!response.complete) return this.#fail('error');
      if (body && size !== body.length) return this.#fail('error');  // shorter than announced
      this.#done = true;
      if (!body) body = new Uint8Array(Buffer.concat(chunks, size));
      chunks.length = 0;
      this.response = body.buffer as ArrayBuffer;
      body = null;
      this.#setState(4);
      this.onload?.({ loaded: size, total: size });
    });
  }

  #fail(how: 'error' | 'timeout'): void {
    if (this.#done) return;
    this.#done = true;
    this.#request?.destroy();
    this.status = 0;
    this.response = null;
    this.#setState(4);
    if (how === 'timeout') this.ontimeout?.({ loaded: 0, total: 0 });
    else this.onerror?.({ loaded: 0, total: 0 });
  }

  #setState(state: number): void {
    this.readyState = state;
    this.onreadystatechange?.({ loaded: 0, total: 0 });
  }
}
