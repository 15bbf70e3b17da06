// The transport of the in-process benchmarks (connection-bench, alloc-bench, echo-gc-bench): the
// least a transport can be. It takes every write at once (never full, so nothing is held back)
// and counts the bytes; `first` keeps the first write, for a check of what was answered.
import { EventEmitter } from 'node:events';

export class CountingTransport extends EventEmitter {
  destroyed = false;
  writableNeedDrain = false;
  writableLength = 0;
  bytes = 0;
  first = '';
  write(data) {
    if (this.first === '') this.first = String(data);
    this.bytes += data.length;
    return true;
  }
  pause() {}
  resume() {}
}
