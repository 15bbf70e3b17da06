// Phase (c): WebSocket open/close cycles against the demo app's echo socket (/ws), with the `ws`
// client, ending four ways in turn:
//   echo-close       a message and its echo, then a close handshake (1000) started by the client
//   close            a close handshake at once, no message
//   echo-terminate   a message and its echo, then the TCP connection dropped with no close frame
//   terminate        dropped at once after the upgrade
import WebSocket from 'ws';
import { runCycles } from './cycles.mjs';

export const WS_KINDS = ['echo-close', 'close', 'echo-terminate', 'terminate'];

/** Runs `total` WebSocket cycles against `${url}/ws` (ws: or wss:, verified against `ca`). */
export function runWsCycles({ url, total, concurrency, timeoutMs, ca, label }) {
  const target = `${url.replace(/^http/, 'ws')}/ws`;
  return runCycles({
    total,
    concurrency,
    timeoutMs,
    label,
    cycle: (i, signal) =>
      new Promise((resolve, reject) => {
        const kind = WS_KINDS[i % WS_KINDS.length];
        const ws = new WebSocket(target, { ca, perMessageDeflate: false });
        const message = `cycle ${i}`;
        let error;
        signal.addEventListener('abort', () => ws.terminate(), { once: true });
        ws.on('error', (e) => (error ??= e));
        ws.on('open', () => {
          if (kind === 'close') ws.close(1000);
          else if (kind === 'terminate') ws.terminate();
          else ws.send(message);
        });
        ws.on('message', (data) => {
          if (String(data) !== message) error ??= new Error(`echo was ${JSON.stringify(String(data).slice(0, 40))}`);
          if (kind === 'echo-close') ws.close(1000);
          else ws.terminate();
        });
        ws.on('close', (code) => {
          if (error) reject(new Error(`${kind}: ${error.code ?? error.message}`));
          else if (kind.endsWith('close') && code !== 1000) reject(new Error(`${kind}: closed with ${code}, not 1000`));
          else resolve();
        });
      }),
  });
}
