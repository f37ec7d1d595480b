// The third panel: what the server stores for this account, fetched raw over the HTTP protocol with
// device A's session. No SyncKit decryption here: this is all the server (or anyone who copies its
// database) ever gets.

const PREFIX = 32; // base64 characters of each payload to show

function base64(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function cell(row, text, code = false) {
  const td = document.createElement('td');
  if (code) td.append(Object.assign(document.createElement('code'), { textContent: text }));
  else td.textContent = text;
  row.append(td);
}

export class ServerView {
  constructor(root, config, device) {
    this.root = root;
    this.config = config;
    this.device = device; // device A: its client, session, and which blob its replica says is attached
    this.ui = (role) => root.querySelector(`[data-role="${role}"]`);
    this.running = null;
    this.again = false;
    this.ui('refresh').addEventListener('click', () => this.refresh());
  }

  /** Refreshes now, or once more after the refresh already running. */
  refresh() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.#load()
      .then(() => {
        this.root.dataset.loaded = 'true';
      })
      .catch((error) => (this.ui('state').textContent = `failed: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
    return this.running;
  }

  async #request(path) {
    const { accessToken } = this.device.client.session();
    // A cross-origin request with these headers: the browser asks the server first (CORS
    // preflight), and the server allows it because it runs with --cors-origin <this page>.
    const response = await fetch(`${this.config.serverUrl}${path}`, {
      headers: { 'X-SyncKit-Api-Key': this.config.apiKey, Authorization: `Bearer ${accessToken}` },
    });
    if (!response.ok) throw new Error(`${path.split('?')[0]}: HTTP ${response.status}`);
    return response;
  }

  async #load() {
    const device = this.device;
    if (device.el.dataset.state !== 'ready') return;
    // status() goes through SyncKit, which refreshes the access token when it is about to expire.
    const status = await device.client.status();
    const devices = await device.client.listDevices();
    const names = new Map(devices.map((d) => [d.id, d.name]));

    // A pull leaves out the asking device's own changes: ask once as each device and merge by seq.
    const bySeq = new Map();
    for (const { id } of devices) {
      for (let cursor = 0; ;) {
        const page = await (await this.#request(`/v1/sync/pull?device_id=${id}&cursor=${cursor}&limit=1000`)).json();
        for (const change of page.changes) bySeq.set(change.seq, change);
        cursor = page.cursor;
        if (!page.has_more) break;
      }
    }

    const rows = [...bySeq.values()].sort((a, b) => a.seq - b.seq).map((change) => {
      const row = document.createElement('tr');
      const size = atob(change.payload).length;
      cell(row, String(change.seq));
      cell(row, change.change_id, true);
      cell(row, `${names.get(change.device_id) ?? 'device'} ${change.device_id.slice(0, 8)}…`);
      cell(row, `${change.payload.slice(0, PREFIX)}… (${size} bytes)`, true);
      return row;
    });
    this.ui('changes').replaceChildren(...rows);
    this.ui('summary').textContent =
      `${status.changes} changes from ${status.devices} devices, ${status.blobs} blobs (${status.blobBytes} bytes), latest cursor ${status.latestCursor}.`;

    // The attached file, as the server keeps it: nonce + ciphertext + tag.
    const attachment = device.attachment?.current;
    if (attachment) {
      const sealed = new Uint8Array(await (await this.#request(`/v1/blobs/${attachment.blobId}`)).arrayBuffer());
      this.ui('blob').textContent =
        `Blob ${attachment.blobId}: ${sealed.length} bytes sealed (the file has ${sealed.length - 40}), ` +
        `base64 ${base64(sealed.subarray(0, 24)).slice(0, PREFIX)}…`;
    } else {
      this.ui('blob').textContent = 'No blob attached yet.';
    }
    this.ui('state').textContent = `${bySeq.size} stored changes`;
  }
}
