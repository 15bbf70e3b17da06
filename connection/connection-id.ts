// Connection ids are short, unique within the process, and sort in creation order as strings:
// a fixed-width base-36 stamp of the process start, then a fixed-width base-36 counter
// (as Kestrel's `0HN…` ids). 36^7 ids per process before the counter widens.
const PREFIX = Date.now().toString(36).toUpperCase().padStart(9, '0');
let counter = 0;

export function nextConnectionId(): string {
  return connectionIdText(nextConnectionNumber());
}

/** The number of the next id, for a holder that makes its text only when asked (`connectionIdText`). */
export function nextConnectionNumber(): number {
  return ++counter;
}

/** The id of number `n` (from `nextConnectionNumber`). */
export function connectionIdText(n: number): string {
  return PREFIX + ':' + n.toString(36).toUpperCase().padStart(7, '0');
}
