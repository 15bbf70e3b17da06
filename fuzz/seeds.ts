// Seed inputs for the fuzz targets: a few of our own, written to reach each feature, plus what
// the llhttp-derived conformance corpus (../shared/conformance/http1-requests.json) offers. The
// corpus is read where it lies at run time and never copied into the repository.
import { readFileSync } from 'node:fs';
import { sharedFile } from '../test/support/shared.js';
import { sslValue, tlv, v1, v2 } from '../test/support/proxy-headers.js';

/** What the seeds take from a case of the corpus. */
export interface CorpusCase {
  raw: string;
  messages: { url: string; headers: [string, string][] }[];
}

/** The corpus's cases, or [] (after sharedFile's loud warning) when ../shared is absent outside CI. */
export function conformanceCases(): CorpusCase[] {
  const path = sharedFile('conformance/http1-requests.json');
  if (path === undefined) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: CorpusCase[] }).cases;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Streams that reach every part of the parser, each valid as a whole. */
export const HTTP1_STREAMS: readonly string[] = [
  'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
  // Pipelined: Content-Length, chunked with extensions and trailers, then a close.
  'POST /form?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello' +
    'PUT /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;name=value;q="a \\"b\\""\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0;last\r\nTrailer-One: 1\r\nX-Sum: abc\r\n\r\n' +
    'DELETE /x HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n',
  '\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: [::1]:8080\r\n\r\nGET http://Example.COM:80/p?q#f HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\ntunnel bytes',
  'GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello',
  'GET /old HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\nGET /next HTTP/1.0\r\n\r\n',
  'POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\nX-Empty:\r\nX-Obs: caf\xe9 \t\r\n\r\nabc',
  'PATCH /t HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n',
];

/** Steering bytes for the HTTP/1.1 target (see http1-parser.fuzz.ts): each limit set and cut. */
const HTTP1_CONTROLS = [0x00, 0x41, 0x82, 0xe3, 0x5e];

export function http1Seeds(cases: readonly CorpusCase[]): Buffer[] {
  const streams = [...HTTP1_STREAMS, ...cases.map((c) => c.raw)];
  const out: Buffer[] = [];
  for (const [i, s] of streams.entries()) {
    // Every stream with the plain control byte; the others spread over the streams.
    out.push(Buffer.concat([Buffer.of(0), latin1(s)]));
    out.push(Buffer.concat([Buffer.of(HTTP1_CONTROLS[1 + (i % (HTTP1_CONTROLS.length - 1))]), latin1(s)]));
  }
  return out;
}

export const HOST_VALUES: readonly string[] = [
  'example.com',
  'example.com:8080',
  'EXAMPLE.com:',
  '127.0.0.1:80',
  '[::1]:443',
  '[2001:db8::192.0.2.33]',
  '[v1.fe:80]',
  '[fe80::1%25eth0]',
  'a%41b.c',
  "sub-delims!$&'()*+,;=",
  'localhost:65535',
];

export function hostSeeds(cases: readonly CorpusCase[]): Buffer[] {
  const values = new Set(HOST_VALUES);
  for (const c of cases) {
    for (const m of c.messages) {
      for (const [name, value] of m.headers) if (name.toLowerCase() === 'host') values.add(value);
      const authority = /^https?:\/\/([^/?#]*)/i.exec(m.url);
      if (authority !== null) values.add(authority[1]);
    }
  }
  return [...values].map(latin1);
}

export const LISTEN_URLS: readonly string[] = [
  'http://127.0.0.1:5000',
  'https://[::1]:0',
  'HTTP://localhost:5000/',
  'http://*:80',
  'https://+:443',
  'http://[::ffff:10.0.0.1]:8080',
  'http://[fe80::1%eth0]:80',
  'http://unix:/run/app.sock',
  'http://pipe:/tiercel',
  'https://memory:app/',
  ' http://0.0.0.0 ',
];

export function endpointSeeds(cases: readonly CorpusCase[]): Buffer[] {
  const urls = new Set(LISTEN_URLS);
  for (const c of cases) for (const m of c.messages) if (/^https?:/i.test(m.url)) urls.add(m.url);
  return [...urls].map((u) => Buffer.from(u, 'utf8'));
}

const ADDRS = { source: { host: '203.0.113.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 } };

/** PROXY headers of every shape the parser takes: v1's three families, v2's commands, families and TLVs. */
export function proxyHeaders(): Buffer[] {
  return [
    v1('TCP4', '192.168.0.1', '192.168.0.11', 56324, 443),
    v1('TCP6', '2001:db8::1', '::ffff:10.0.0.1', 65535, 0),
    v1('UNKNOWN'),
    v1('UNKNOWN', ' ffff:f::f ffff:f::f 65535 65535'),
    v2(ADDRS),
    v2({ source: { host: '2001:db8::42', port: 1 }, destination: { host: '::1', port: 2 }, tlvs: [tlv(0x01, 'h2'), tlv(0x02, 'example.com')], crc: true }),
    v2({ command: 'local' }),
    v2({ command: 'local', family: 0x11, addressBlock: Buffer.alloc(12) }),
    v2({ family: 0x00, addressBlock: Buffer.from('ignored') }),
    v2({ paths: ['', '/run/front.sock'] }),
    v2({ family: 0x12, ...ADDRS }),
    v2({
      ...ADDRS,
      tlvs: [
        tlv(0x05, Buffer.alloc(16, 7)),
        tlv(0x20, sslValue(7, 0, [tlv(0x21, 'TLSv1.3'), tlv(0x22, 'client'), tlv(0x23, 'TLS_AES_128_GCM_SHA256'), tlv(0x24, 'RSA-SHA256'), tlv(0x25, 'RSA2048')])),
        tlv(0x30, 'ns'),
        tlv(0x04, ''),
        tlv(0xe0, Buffer.of(1, 2, 3)),
      ],
    }),
  ];
}

/** Each header followed by an HTTP/1.1 request, under each maxHeaderBytes and cut strategy (the control byte). */
export function proxySeeds(): Buffer[] {
  const request = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');
  return proxyHeaders().flatMap((h, i) => [Buffer.concat([Buffer.of(0), h, request]), Buffer.concat([Buffer.of(((1 + (i % 3)) << 6) | (i % 4)), h])]);
}
