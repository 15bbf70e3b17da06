// Phase (b): connects and disconnects, each ending a different way so that every path by which
// a server lets go of a connection is walked many times:
//   close       one request with `Connection: close`: the server ends the connection
//   client-fin  one keep-alive request, then the client ends (FIN) while the server waits for more
//   bare        connect and end at once, nothing sent (over TLS: before the ClientHello)
//   reset       half a request line, then a TCP reset (RST) instead of a FIN
// Over TLS every kind but `bare` completes the handshake first.
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { runCycles } from './cycles.mjs';

export const CHURN_KINDS = ['close', 'client-fin', 'bare', 'reset'];

const BODY = 'Hello, World!';

/** Runs `total` connect/disconnect cycles against `url` (http: or https:, verified against `ca`), the `kinds` in turn. */
export function runChurn({ url, total, concurrency, timeoutMs, ca, label, kinds = CHURN_KINDS }) {
  const { hostname, port, protocol } = new URL(url);
  const secure = protocol === 'https:';
  const request = (close) => `GET /plaintext HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
  const closeRequest = request(true);
  const keepAliveRequest = request(false);

  return runCycles({
    total,
    concurrency,
    timeoutMs,
    label,
    cycle: async (i, signal) => {
      const kind = kinds[i % kinds.length];
      const raw = net.connect({ host: hostname, port: Number(port) });
      signal.addEventListener('abort', () => raw.destroy(), { once: true });
      const errors = [];
      const closed = closing(raw, errors);
      await Promise.race([once(raw, 'connect'), closed]);
      if (kind === 'bare') {
        raw.end();
        return finish(kind, await closed, errors);
      }
      let socket = raw;
      let tlsClosed = closed;
      if (secure) {
        socket = tls.connect({ socket: raw, host: hostname, ca });
        tlsClosed = closing(socket, errors);
        await Promise.race([once(socket, 'secureConnect'), tlsClosed]);
      }
      if (kind === 'reset') {
        socket.write('GET /plain');
        // Let the bytes leave before the reset, so the server sees a request start and then the RST.
        await new Promise((resolve) => setImmediate(resolve));
        raw.resetAndDestroy();
        return finish(kind, await closed, errors);
      }
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        text += chunk;
        // The server keeps a keep-alive connection open: the client ends it once the response is in.
        if (kind === 'client-fin' && text.endsWith(BODY)) socket.end();
      });
      socket.write(kind === 'close' ? closeRequest : keepAliveRequest);
      await Promise.all([tlsClosed, closed]);
      if (!text.startsWith('HTTP/1.1 200 ') || !text.endsWith(BODY)) throw new Error(`${kind}: unexpected response ${JSON.stringify(text.slice(0, 40))}`);
      finish(kind, true, errors);
    },
  });
}

/** Resolves once `socket` has closed (never rejects); its errors are collected in `errors`. */
function closing(socket, errors) {
  socket.on('error', (error) => errors.push(error));
  return new Promise((resolve) => socket.once('close', () => resolve(true)));
}

/** A cycle ended: a socket error on the way is a failure (the reset we sent ourselves raises none). */
function finish(kind, closed, errors) {
  if (!closed) throw new Error(`${kind}: not closed`);
  if (errors.length > 0) throw new Error(`${kind}: ${errors[0].code ?? errors[0].message}`);
}
