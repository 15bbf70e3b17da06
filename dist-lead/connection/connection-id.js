// Connection ids are short, unique within the process, and sort in creation order as strings:
// a fixed-width base-36 stamp of the process start, then a fixed-width base-36 counter
// (as Kestrel's `0HN…` ids). 36^7 ids per process before the counter widens.
const PREFIX = Date.now().toString(36).toUpperCase().padStart(9, '0');
let counter = 0;
export function nextConnectionId() {
    counter++;
    return PREFIX + ':' + counter.toString(36).toUpperCase().padStart(7, '0');
}
//# sourceMappingURL=connection-id.js.map