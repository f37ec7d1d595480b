// A device's sync controls: the Offline switch (stops the replica's sync loop; back online starts it,
// and its first round pushes what waited and pulls), the Sync now button, and a status line from
// replica.status(): how many writes wait, when the last round ended, the last error.
import { clockTime } from './merge-note.js';

// status() has no change event: the line is redrawn on this timer (and at each switch), which is
// also how a push being acknowledged is noticed (pending goes down).
const STATUS_EVERY_MS = 300;

export class SyncControls {
  /**
   * @param {{toggle: HTMLInputElement, button: HTMLButtonElement, line: HTMLElement}} ui
   * @param {{run: Function, onSwitch: (offline: boolean) => void, onPushed: () => void}} hooks
   */
  constructor(ui, { run, onSwitch, onPushed }) {
    Object.assign(this, ui, { run, onSwitch, onPushed });
    this.replica = null;
    this.timer = null;
    this.pending = 0;
    this.toggle.addEventListener('change', () => this.#switch(this.toggle.checked));
    this.button.addEventListener('click', () => this.run('syncing', () => this.replica?.sync()));
  }

  get offline() {
    return this.toggle.checked;
  }

  /** Takes over `replica`: starts its loop unless `offline`. */
  attach(replica, offline) {
    this.replica = replica;
    this.pending = replica.status().pending;
    this.toggle.checked = offline;
    this.#apply();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.show(), STATUS_EVERY_MS);
  }

  detach() {
    clearInterval(this.timer);
    this.replica = null;
  }

  /** Redraws the status line; tells onPushed when the server acknowledged waiting writes. */
  show() {
    if (!this.replica) return;
    const status = this.replica.status();
    const parts = [this.#state(status)];
    parts.push(status.pending === 1 ? '1 write waiting' : `${status.pending} writes waiting`);
    if (status.lastSyncAt) parts.push(`last sync ${clockTime(status.lastSyncAt)}`);
    if (status.lastError) parts.push(`${status.lastError.kind}: ${status.lastError.message}`);
    this.line.textContent = parts.join(' · ');
    Object.assign(this.line.dataset, { pending: String(status.pending), running: String(status.running), online: String(status.online) });
    if (status.pending < this.pending) this.onPushed();
    this.pending = status.pending;
  }

  #state({ running, online }) {
    if (this.offline) return 'offline';
    if (!running) return 'sync stopped'; // after an error the app must act on (see the message)
    return online ? 'online' : 'connecting';
  }

  #switch(offline) {
    this.#apply();
    this.onSwitch(offline);
  }

  #apply() {
    if (this.offline) this.replica.stop();
    else this.replica.start();
    this.button.disabled = this.offline;
    this.show();
  }
}
