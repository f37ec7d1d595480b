// The merge made visible. Every to-do row carries who wrote it and when (`by`, `at`), and which
// version the writer had in front of them (`seen`: the `by` and `at` of the row it replaced). When a
// pulled write replaces this device's own edit, and its writer had not seen that edit, the two were
// made concurrently and the replica kept the other one: mergeNote() says which and why.
//
// The replica's real rule is its hybrid-logical-clock stamp order (per row, the greatest stamp
// wins; a write made after seeing another always sorts after it). For two concurrent edits the
// stamp is the writer's wall-clock time, so "made later" is what decided them. The `at` field here
// is the app's own copy of that time, for display.

/** Shown as the note's tooltip. */
export const MERGE_RULE =
  'The replica keeps, per row, the write with the greatest hybrid-logical-clock stamp. A write made ' +
  'after seeing another device\'s write always sorts after it; for two edits made without seeing ' +
  'each other (offline), the stamp\'s wall-clock time decides: the later edit wins on every device.';

/** The fields this device adds to a row it writes, `current` being the row it replaces (or null). */
export function authorship(me, current) {
  return { by: me, at: new Date().toISOString(), seen: current ? { by: current.by, at: current.at } : null };
}

/** "12:00:03.120" (local time) of an ISO time. */
export function clockTime(iso) {
  const time = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The note for a pulled write `incoming` that replaced `previous` on device `me`, or null when
 * there is nothing to explain: previous was not this device's edit, the row was deleted, or the
 * other device had seen this device's edit (an ordinary later edit, not a conflict).
 */
export function mergeNote(me, previous, incoming) {
  if (!previous || previous.by !== me || !incoming || incoming.by === me) return null;
  const seen = incoming.seen;
  if (seen && seen.by === previous.by && seen.at === previous.at) return null;
  const why = Date.parse(incoming.at) > Date.parse(previous.at) ? 'it was made later' : 'its clock stamp sorts later';
  return `${incoming.by}'s edit won: ${why} (${clockTime(incoming.at)} vs your ${clockTime(previous.at)})`;
}
