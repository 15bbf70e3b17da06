// Memory held per idle keep-alive connection: open many raw sockets that each send
// one GET and then stay silent, and compare the server's VmRSS before and after.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const REQUEST = 'GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** Opens one socket, sends a GET, resolves once the first response bytes arrive. */
function openOne(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('no response'));
    });
    socket.once('error', reject);
    socket.once('data', () => {
      socket.setTimeout(0);
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      socket.on('data', () => {}); // anything further is drained, not buffered
      resolve(socket);
    });
    socket.write(REQUEST);
  });
}

async function openMany(port, count, { batch = 100, timeoutMs = 5000 } = {}) {
  const sockets = [];
  let failed = 0;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const results = await Promise.allSettled(Array.from({ length: size }, () => openOne(port, timeoutMs)));
    for (const result of results) {
      if (result.status === 'fulfilled') sockets.push(result.value);
      else failed++;
    }
  }
  return { sockets, failed };
}

/**
 * Warms the server with a few short-lived connections, reads VmRSS, opens `count`
 * idle keep-alive connections, waits `settleMs`, reads VmRSS again and closes them.
 * Result in KiB; `open` is how many were still open when the second reading was taken.
 */
export async function measureIdle(server, { count, settleMs }) {
  const warm = await openMany(server.port, 50, { batch: 50 });
  for (const socket of warm.sockets) socket.destroy();
  await sleep(settleMs);

  const before = server.memory();
  const { sockets, failed } = await openMany(server.port, count);
  await sleep(settleMs);
  const after = server.memory();
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  for (const socket of sockets) socket.destroy();

  if (!before || !after) throw new Error(`${server.name} exited during the idle-connection test`);
  return {
    beforeKiB: before.rssKiB,
    afterKiB: after.rssKiB,
    perConnectionKiB: (after.rssKiB - before.rssKiB) / count,
    opened: sockets.length,
    failed,
    open,
  };
}
