// Run by faults.test.ts in a child process (a crash here must not take the test runner down): a
// tiercel server whose WebSocket 'message' handler throws (argv[2] 'sync') or rejects ('async').
// A client sends one message; the child prints one JSON line: the close code the client got, the
// error-level log lines, and whether a second socket was still served. It exits 0 if it lives.
import 'reflect-metadata';
import { WebSocket } from 'ws';
import type { TcpEndpoint } from '../../connection/index.js';
import { LOGGER } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { MemoryLogger } from '../pipeline/support.js';

const mode = process.argv[2];
const logger = new MemoryLogger();
const server = new Server({ logLevel: 'silent' });
server.services.register(LOGGER, { useValue: logger });
server.useHttp(
  new ApplicationBuilder().run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data) => {
      if (data.toString() === 'echo') return void ws.send('echo');
      if (mode === 'sync') throw new Error('handler threw');
      return Promise.reject(new Error('handler rejected'));
    });
  }),
);
server.listen('http://127.0.0.1:0');
await server.start();
const url = `ws://127.0.0.1:${(server.endpoints[0] as TcpEndpoint).port}/`;

function exchange(message: string): Promise<{ closeCode: number; reply: string }> {
  return new Promise((resolve) => {
    const c = new WebSocket(url);
    let reply = '';
    const timer = setTimeout(() => c.terminate(), 3_000);
    c.on('open', () => c.send(message));
    c.on('message', (d) => {
      reply = d.toString();
      c.close(1000);
    });
    c.on('error', () => {});
    c.on('close', (closeCode) => {
      clearTimeout(timer);
      resolve({ closeCode, reply });
    });
  });
}

const faulty = await exchange('boom');
const after = await exchange('echo');
console.log(JSON.stringify({ closeCode: faulty.closeCode, errors: logger.errors().map((e) => e.message), servedAfter: after.reply === 'echo' }));
await server.stop(500);
