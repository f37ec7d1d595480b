// The to-do list of one device: the rows of its replica's `todos` table, rendered from list() and
// kept current by subscribe(). Adding, ticking, renaming and deleting are replica writes: stored in
// IndexedDB at once (offline too) and pushed by the sync loop. A pulled write that replaced this
// device's own concurrent edit gets a note saying which write won and why (merge-note.js).
import { authorship, mergeNote, MERGE_RULE } from './merge-note.js';

const TODOS = 'todos';

// Row ids that sort by creation time (list() orders by row id), unique across devices.
function newRowId() {
  return `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

function element(tag, properties = {}) {
  return Object.assign(document.createElement(tag), properties);
}

export class TodoList {
  /**
   * @param {HTMLUListElement} list  where the rows are shown
   * @param {import('synckit').Replica} replica
   * @param {string} me  this device's name, written into every row it writes ('A', 'B')
   * @param {{onRemote: () => void, onError: (error: unknown) => void}} hooks
   */
  constructor(list, replica, me, { onRemote, onError }) {
    this.list = list;
    this.replica = replica;
    this.me = me;
    this.onRemote = onRemote;
    this.onError = onError;
    this.rows = new Map(); // rowId → data, as last listed
    this.notes = new Map(); // rowId → merge note
    this.editing = null; // { rowId, item } while a title is being edited
    this.unsubscribe = null;
  }

  async open() {
    this.unsubscribe = this.replica.subscribe(TODOS, (event) => this.#heard(event));
    await this.#refresh();
  }

  close() {
    this.unsubscribe?.();
    this.list.replaceChildren();
  }

  /** The rows shown, for the console and the test: [{rowId, title, done, by, at}]. */
  snapshot() {
    return [...this.rows].map(([rowId, { title, done, by, at }]) => ({ rowId, title, done, by, at }));
  }

  // ---- writes --------------------------------------------------------------------------------------

  add(title) {
    return this.#write(newRowId(), { title, done: false });
  }

  toggle(rowId) {
    const todo = this.rows.get(rowId);
    return todo ? this.#write(rowId, { title: todo.title, done: !todo.done }) : Promise.resolve();
  }

  rename(rowId, title) {
    const todo = this.rows.get(rowId);
    return todo ? this.#write(rowId, { title, done: todo.done }) : Promise.resolve();
  }

  remove(rowId) {
    return this.replica.delete(TODOS, rowId).catch(this.onError);
  }

  // The whole row each time (the replica merges whole rows), with who wrote it, when, and which
  // version it replaces.
  #write(rowId, { title, done }) {
    const data = { title, done, ...authorship(this.me, this.rows.get(rowId) ?? null) };
    return this.replica.put(TODOS, rowId, data).catch(this.onError);
  }

  // ---- what the replica reports ----------------------------------------------------------------------

  // After every transaction that changed rows: a local write (this device) or a pulled page.
  #heard({ rows, origin }) {
    for (const { rowId, data } of rows) {
      const note = origin === 'remote' ? mergeNote(this.me, this.rows.get(rowId), data) : null;
      if (note) this.notes.set(rowId, note);
      else this.notes.delete(rowId);
      if (data) this.rows.set(rowId, data);
      else this.rows.delete(rowId);
    }
    this.#refresh();
    if (origin === 'remote') this.onRemote();
  }

  async #refresh() {
    const rows = await this.replica.list(TODOS);
    this.rows = new Map(rows.map(({ rowId, data }) => [rowId, data]));
    this.#render();
  }

  // ---- rendering -------------------------------------------------------------------------------------

  #render() {
    this.list.replaceChildren(...[...this.rows].map(([rowId, todo]) => this.#item(rowId, todo)));
  }

  #item(rowId, todo) {
    if (this.editing?.rowId === rowId) return this.editing.item; // keep what is being typed
    const item = element('li', { className: todo.done ? 'done' : '' });
    item.dataset.rowId = rowId;
    const box = element('input', { type: 'checkbox', checked: todo.done });
    box.addEventListener('change', () => this.toggle(rowId));
    const title = element('span', { className: 'title', textContent: todo.title, title: `by ${todo.by} at ${todo.at}` });
    title.addEventListener('dblclick', () => this.#startEditing(rowId, item));
    const edit = element('button', { type: 'button', textContent: '✎', title: 'Edit' });
    edit.dataset.role = 'edit';
    edit.addEventListener('click', () => this.#startEditing(rowId, item));
    const remove = element('button', { type: 'button', textContent: '✕', title: 'Delete' });
    remove.dataset.role = 'delete';
    remove.addEventListener('click', () => this.remove(rowId));
    item.append(box, title, edit, remove);
    const note = this.notes.get(rowId);
    if (note) item.append(element('small', { className: 'merge-note', textContent: note, title: MERGE_RULE }));
    return item;
  }

  // The title becomes a one-field form: Enter saves, Escape or leaving the field cancels.
  #startEditing(rowId, item) {
    const todo = this.rows.get(rowId);
    const form = element('form', { className: 'rename' });
    const input = element('input', { name: 'title', value: todo.title, required: true, autocomplete: 'off' });
    form.append(input);
    const finish = (title) => {
      if (this.editing?.item !== item) return;
      this.editing = null;
      if (title && title !== todo.title) this.rename(rowId, title);
      this.#render();
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      finish(input.value.trim());
    });
    input.addEventListener('keydown', (event) => event.key === 'Escape' && finish(null));
    input.addEventListener('blur', () => finish(null));
    item.querySelector('.title').replaceWith(form);
    this.editing = { rowId, item };
    input.focus();
    input.select();
  }
}
