// A real nginx (the Debian package) as an HTTP reverse proxy setting X-Forwarded-For/-Proto/-Host
// in front of two tiercel servers: one that trusts nginx's address (127.0.0.1) and one that does
// not. Clients connect to nginx from 127.0.0.2. nginx is started here with a generated config on
// free ports (its own prefix, pid and logs in a temp dir, no daemon, no master). Skipped, loudly,
// without nginx.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { parseResponses } from '../../support/clients.js';
import { Daemon, freePort } from '../../support/daemon.js';
import { rawWhoami, startForwardedServer, type Believed, type ForwardedServer } from '../../support/forwarded-server.js';
import { repoRoot } from '../../support/shared.js';
import { testRequiring } from '../../support/skip.js';
import { readAll } from '../../support/streams.js';
import { CertDir, makeLeaf } from '../../support/tls-certificates.js';

const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
const missing = nginxVersion.status === 0 ? undefined : 'nginx is not installed (apt-get install nginx; .ci/run installs it)';
const it = testRequiring(test, missing);

const CLIENT = '127.0.0.2';

interface Nginx {
  /** Proxies to the server that trusts 127.0.0.1. */
  readonly trusted: number;
  /** Proxies to the server that trusts nothing nginx connects from. */
  readonly untrusted: number;
  /** TLS terminated by nginx, proxied to the trusting server. */
  readonly tls: number;
  readonly daemon: Daemon;
}

let trusting: ForwardedServer;
let distrusting: ForwardedServer;
let nginx: Nginx;
let dir: string;
const certs = new CertDir();

const proxyHeaders = join(repoRoot(), 'examples', 'nginx', 'proxy-headers.conf');

function location(upstream: number): string[] {
  return [
    '    location / {',
    `      proxy_pass http://127.0.0.1:${upstream};`,
    // The README's: what the nginx documentation recommends (append to the client's list, overwrite the rest).
    `      include ${proxyHeaders};`,
    '    }',
  ];
}

test.before(async () => {
  if (missing !== undefined) return;
  trusting = await startForwardedServer({ trustedProxies: ['127.0.0.1'] });
  distrusting = await startForwardedServer({ trustedProxies: ['10.0.0.0/8'] });
  const leaf = certs.writePem('localhost', await makeLeaf(['localhost']));
  const ports = { trusted: await freePort(), untrusted: await freePort(), tls: await freePort() };
  dir = mkdtempSync(join(tmpdir(), 'tiercel-nginx-'));
  const config = join(dir, 'nginx.conf');
  writeFileSync(
    config,
    [
      'daemon off;',
      // One process: no workers to switch to another user, nothing to outlive the test.
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${join(dir, 'body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'scgi')};`,
      '  server {',
      `    listen 127.0.0.1:${ports.trusted};`,
      ...location(trusting.port),
      '  }',
      '  server {',
      `    listen 127.0.0.1:${ports.untrusted};`,
      ...location(distrusting.port),
      '  }',
      '  server {',
      `    listen 127.0.0.1:${ports.tls} ssl;`,
      `    ssl_certificate ${leaf.certFile};`,
      `    ssl_certificate_key ${leaf.keyFile};`,
      ...location(trusting.port),
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // -e: the error log before the config is read (else nginx opens /var/log/nginx/error.log).
  nginx = { ...ports, daemon: await Daemon.start('nginx', ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], ports.tls) };
});

test.after(async () => {
  certs.remove();
  if (missing !== undefined) return;
  // QUIT: a graceful stop, what `nginx -s quit` sends.
  await nginx.daemon.stop('SIGQUIT');
  await trusting.stop();
  await distrusting.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('nginx trusted: the app sees the client behind it, its scheme and host', async () => {
  const { status, believed } = await rawWhoami(nginx.trusted, [], CLIENT);
  assert.is(status, 200);
  assert.is(believed.remote, `${CLIENT}:0`);
  assert.is(believed.scheme, 'http');
  assert.is(believed.host, 'origin.test');
  assert.match(believed.peer, /^127\.0\.0\.1:\d+$/);
});

it('nginx not trusted: its headers are ignored, the socket (nginx itself) is the client', async () => {
  const { believed } = await rawWhoami(nginx.untrusted, ['X-Forwarded-For: 203.0.113.7'], CLIENT);
  assert.match(believed.remote, /^127\.0\.0\.1:\d+$/);
  assert.is(believed.remote, believed.peer);
  assert.is(believed.scheme, 'http');
  // The Host nginx sends upstream by default ($proxy_host), not the client's.
  assert.is(believed.host, `127.0.0.1:${distrusting.port}`);
});

it('a client spoofing X-Forwarded-*, or Forwarded, through trusted nginx never wins', async () => {
  const { believed } = await rawWhoami(
    nginx.trusted,
    ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: evil.example', 'Forwarded: for=6.6.6.7;proto=https'],
    CLIENT,
  );
  assert.is(believed.remote, `${CLIENT}:0`);
  assert.is(believed.scheme, 'http');
  assert.is(believed.host, 'origin.test');
});

it('TLS terminated by trusted nginx: the app sees https', async () => {
  // From the client's address: TCP first, TLS over it.
  const tcp = net.connect({ host: '127.0.0.1', port: nginx.tls, localAddress: CLIENT });
  const socket = tls.connect({ socket: tcp, servername: 'localhost', rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.write('GET /whoami HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n');
  const [response] = parseResponses(await readAll(socket));
  const believed = JSON.parse(response.body) as Believed;
  assert.is(believed.remote, `${CLIENT}:0`);
  assert.is(believed.scheme, 'https');
  assert.is(believed.host, 'secure.test');
});

test.run();
