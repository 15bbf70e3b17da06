// Preloaded (`node --require`) into each server bench/startup.mjs starts: the first stdout write
// that holds $CPU_AT_READY (the server's "listening" line) is preceded, in the same write, by
// `cpu-at-ready <ms>`, the process's CPU time then (all threads, µs precision; /proc's is in 10 ms
// ticks). CommonJS and built-ins only, so the preload itself costs next to nothing.
'use strict';
const marker = process.env.CPU_AT_READY;
const write = process.stdout.write.bind(process.stdout);
let done = false;
process.stdout.write = (chunk, ...rest) => {
  if (!done && marker !== undefined && String(chunk).includes(marker)) {
    done = true;
    const u = process.cpuUsage();
    return write(`cpu-at-ready ${(u.user + u.system) / 1000}\n${chunk}`, ...rest);
  }
  return write(chunk, ...rest);
};
