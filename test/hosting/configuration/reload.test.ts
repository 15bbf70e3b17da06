import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { LOGGER_FACTORY } from '../../../di/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { Server, loadConfiguration, type TiercelConfiguration } from '../../../hosting/index.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { RecordingLoggerFactory, waitFor } from '../../di/support.js';

const dir = new CertDir();
const app = new ApplicationBuilder().run((ctx) => ctx.response.send(`hello ${ctx.request.path}`));

/** Writes the file as editors do: a new file renamed over the old one. */
function write(file: string, config: TiercelConfiguration | string): void {
  writeFileSync(`${file}.tmp`, typeof config === 'string' ? config : JSON.stringify(config));
  renameSync(`${file}.tmp`, file);
}

async function startWatched(name: string, config: TiercelConfiguration): Promise<{ server: Server; file: string; logs: RecordingLoggerFactory; reloads: () => number }> {
  const file = dir.file(name);
  write(file, { ...config, reloadOnChange: true });
  const server = Server.fromConfig(loadConfiguration({ file, env: {} }));
  const logs = new RecordingLoggerFactory();
  server.services.register(LOGGER_FACTORY, { useValue: logs });
  server.useHttp(app);
  await server.start();
  const reloads = (): number => logs.of('tiercel.configuration').filter((l) => l.message.startsWith('Configuration reloaded')).length;
  return { server, file, logs, reloads };
}

/** A keep-alive HTTP/1.1 connection: one request at a time, the status and body of each answer. */
class KeepAlive {
  readonly socket: net.Socket;
  #buffer = '';
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => (this.#buffer += d));
    // A connection still open when the test's short stop runs out is aborted (reset): expected.
    this.socket.on('error', () => {});
  }
  async get(target: string): Promise<{ status: number; body: string }> {
    this.#buffer = '';
    this.socket.write(`GET ${target} HTTP/1.1\r\nhost: x\r\n\r\n`);
    await waitFor(`the answer to ${target}`, () => {
      const end = this.#buffer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(this.#buffer.slice(0, end));
      return end >= 0 && length !== null && this.#buffer.length >= end + 4 + Number(length[1]);
    });
    return { status: Number(this.#buffer.slice(9, 12)), body: this.#buffer.slice(this.#buffer.indexOf('\r\n\r\n') + 4) };
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

const portOf = (server: Server, name: string): number => {
  const i = server.boundEndpoints.findIndex((b) => b.name === name);
  assert.ok(i >= 0, `endpoint ${name} is bound`);
  return (server.endpoints[i] as { port: number }).port;
};

test('a reload adds and removes endpoints and applies new limits; an unchanged endpoint keeps its keep-alive connection', async () => {
  const { server, file, reloads } = await startWatched('reload.json', {
    endpoints: { keep: { url: 'http://127.0.0.1:0' }, gone: { url: 'http://127.0.0.1:0' } },
    limits: { http: { maxRequestLineSize: 1024 } },
    logLevel: 'silent',
  });
  try {
    const keepPort = portOf(server, 'keep');
    const gonePort = portOf(server, 'gone');
    const held = new KeepAlive(keepPort);
    assert.equal(await held.get('/before'), { status: 200, body: 'hello /before' });
    const long = `/${'x'.repeat(100)}`;

    write(file, { endpoints: { keep: { url: 'http://127.0.0.1:0' }, added: { url: 'http://127.0.0.1:0' } }, limits: { http: { maxRequestLineSize: 64 } }, reloadOnChange: true });
    await waitFor('the reload', () => reloads() === 1);

    assert.equal(await held.get('/after'), { status: 200, body: 'hello /after' }, 'the open connection still works');
    assert.is((await held.get(long)).status, 200, 'and keeps the limits it was accepted with');
    assert.is(portOf(server, 'keep'), keepPort, 'the unchanged endpoint was not re-bound');
    assert.is((await new KeepAlive(keepPort).get(long)).status, 414, 'a new connection gets the new limit');
    assert.is((await new KeepAlive(portOf(server, 'added')).get('/new')).body, 'hello /new', 'the new endpoint listens');
    assert.ok(await refused(gonePort), 'the removed endpoint stopped listening');
    assert.equal(
      server.boundEndpoints.map((b) => b.name),
      ['keep', 'added'],
    );
    held.socket.destroy();
  } finally {
    await server.stop(500);
  }
});

test('a broken file keeps the running configuration and says why at warn', async () => {
  const { server, file, logs, reloads } = await startWatched('broken.json', { endpoints: { web: { url: 'http://127.0.0.1:0' } }, logLevel: 'silent' });
  try {
    const port = portOf(server, 'web');
    const warnings = (): string[] => logs.of('tiercel.configuration').filter((l) => l.level === 'warn').map((l) => l.message);
    write(file, '{ "endpoints": { "web": { "url": "htp://127.0.0.1:0" } } }');
    await waitFor('the warning', () => warnings().length === 1);
    assert.ok(warnings()[0].includes('endpoints.web.url: "htp://127.0.0.1:0" is not a listen URL'), warnings()[0]);
    assert.ok(warnings()[0].includes('the running one stays'), warnings()[0]);
    write(file, '{ "endpoints": ');
    await waitFor('the second warning', () => warnings().length === 2);
    assert.ok(warnings()[1].includes('is not JSON'), warnings()[1]);
    assert.is(reloads(), 0);
    assert.is((await new KeepAlive(port).get('/still')).body, 'hello /still');
    // Fixed again, with a change the server can apply.
    write(file, { endpoints: { web: { url: 'http://127.0.0.1:0' }, more: { url: 'http://127.0.0.1:0' } }, logLevel: 'silent', reloadOnChange: true });
    await waitFor('the reload', () => reloads() === 1);
    assert.is((await new KeepAlive(portOf(server, 'more')).get('/more')).body, 'hello /more');
  } finally {
    await server.stop(500);
  }
});

test('a changed certificate applies to new TLS connections without a restart; open ones keep working', async () => {
  const ca = await makeCa();
  dir.writePem('first', await makeLeaf(['first.test'], { ca }));
  dir.writePem('second', await makeLeaf(['second.test'], { ca }));
  const config = (cert: string): TiercelConfiguration => ({
    endpoints: { tls: { url: 'https://127.0.0.1:0', certificate: cert } },
    certificates: { first: { certFile: 'first.crt', keyFile: 'first.key' }, second: { certFile: 'second.crt', keyFile: 'second.key' } },
    logLevel: 'silent',
    reloadOnChange: true,
  });
  const { server, file, reloads } = await startWatched('tls.json', config('first'));
  const connect = async (): Promise<tls.TLSSocket> => {
    const socket = tls.connect({ port: portOf(server, 'tls'), host: '127.0.0.1', servername: 'x.test', ca: ca.cert, checkServerIdentity: () => undefined });
    await once(socket, 'secureConnect');
    return socket;
  };
  const ask = async (socket: tls.TLSSocket, target: string): Promise<string> => {
    let text = '';
    const got = new Promise<void>((resolve) =>
      socket.on('data', (d) => {
        text += String(d);
        if (text.includes(`hello ${target}`)) resolve();
      }),
    );
    socket.write(`GET ${target} HTTP/1.1\r\nhost: x\r\n\r\n`);
    await got;
    socket.removeAllListeners('data');
    return text;
  };
  try {
    const held = await connect();
    assert.is(held.getPeerCertificate().subject.CN, 'first.test');
    await ask(held, '/one');
    write(file, config('second'));
    await waitFor('the reload', () => reloads() === 1);
    const fresh = await connect();
    assert.is(fresh.getPeerCertificate().subject.CN, 'second.test');
    fresh.destroy();
    assert.ok((await ask(held, '/two')).startsWith('HTTP/1.1 200'), 'the connection made before the reload still works');
    held.destroy();
  } finally {
    await server.stop(500);
  }
});

test.after(() => dir.remove());
test.run();
