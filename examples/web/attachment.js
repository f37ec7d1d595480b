// The file attached to the list: its bytes are a blob (encrypted on this device, uploaded at once:
// blobs need the network), and one replica row (`attachments`/`list`) says which blob is attached;
// that row syncs like the to-dos. While the device is offline the file is not downloaded.
import { authorship } from './merge-note.js';

const ATTACHMENTS = 'attachments';
const ROW = 'list'; // one attachment for the whole list

function element(tag, properties = {}) {
  return Object.assign(document.createElement(tag), properties);
}

export class Attachment {
  /**
   * @param {HTMLElement} view  where the file is shown
   * @param {{client, replica, me: string, run: Function, isOffline: () => boolean, onRemote: () => void}} parts
   *   run(what, step, options) runs a network step in the device's queue and reports its errors
   */
  constructor(view, { client, replica, me, run, isOffline, onRemote }) {
    Object.assign(this, { view, client, replica, me, run, isOffline, onRemote });
    this.current = null; // the row's data: {blobId, name, type, size, by, at, seen}
    this.url = null;
    this.unsubscribe = null;
  }

  async open() {
    this.unsubscribe = this.replica.subscribe(ATTACHMENTS, ({ origin }) => {
      this.#refresh();
      if (origin === 'remote') this.onRemote();
    });
    await this.#refresh();
  }

  close() {
    this.unsubscribe?.();
    this.#clear();
  }

  /** Uploads the file as a new blob, points the row at it, then deletes the previous blob. */
  async attach(file) {
    const blobId = crypto.randomUUID();
    const bytes = new Uint8Array(await file.arrayBuffer());
    const uploaded = await this.run('uploading', () => this.client.putBlob(blobId, bytes).then(() => true));
    if (!uploaded) return;
    const previous = this.current;
    const meta = { blobId, name: file.name, type: file.type || 'application/octet-stream', size: file.size };
    const saved = await this.run('attaching', () => this.replica.put(ATTACHMENTS, ROW, { ...meta, ...authorship(this.me, previous) }).then(() => true));
    if (saved && previous?.blobId) await this.run('cleaning up', () => this.client.deleteBlob(previous.blobId));
  }

  /** Shows the attached file (downloaded and decrypted once per blob), or nothing. */
  async render() {
    const meta = this.current;
    if (!meta) return this.#clear();
    if (this.view.dataset.blobId === meta.blobId) return; // already shown
    if (this.isOffline()) {
      this.view.replaceChildren(element('span', { textContent: `${meta.name} (downloaded when online)` }));
      return;
    }
    this.view.dataset.blobId = meta.blobId;
    const bytes = await this.run('downloading', () => this.client.getBlob(meta.blobId), { quiet: true });
    if (!bytes) delete this.view.dataset.blobId; // try again at the next render
    if (!bytes || this.view.dataset.blobId !== meta.blobId) return;
    this.#show(meta, bytes);
  }

  async #refresh() {
    this.current = await this.replica.get(ATTACHMENTS, ROW);
    this.render();
  }

  #show(meta, bytes) {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(new Blob([bytes], { type: meta.type }));
    const parts = [element('a', { href: this.url, download: meta.name, textContent: `${meta.name} (${bytes.length} bytes)` })];
    if (meta.type.startsWith('text/')) {
      parts.push(element('pre', { textContent: new TextDecoder().decode(bytes) }));
    } else if (meta.type.startsWith('image/')) {
      parts.push(element('img', { src: this.url, alt: meta.name }));
    }
    this.view.replaceChildren(...parts);
  }

  #clear() {
    this.view.replaceChildren();
    delete this.view.dataset.blobId;
  }
}
