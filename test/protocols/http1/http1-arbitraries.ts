// fast-check generators of valid HTTP/1.1 request streams, each with the messages the parser
// must report for it: pipelined requests with every target form, header values with OWS and
// obs-text, Content-Length and chunked bodies with extensions and trailers, and sometimes a last
// message that ends HTTP/1.1 on the connection (Connection: close, an Upgrade, CONNECT).
import fc from 'fast-check';

export interface ModelMessage {
  method: string;
  target: string;
  httpVersion: '1.0' | '1.1';
  /** Flat [name, value, …] as the parser reports them: values without the OWS around them. */
  rawHeaders: string[];
  trailers: string[] | null;
  body: Buffer;
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
  upgrade: boolean;
  isConnect: boolean;
}

export interface ModelStream {
  bytes: Buffer;
  messages: ModelMessage[];
  /** Where HTTP/1.1 ends (after a close, upgrade or CONNECT message), or the length. */
  end: number;
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Names the parser reads for framing or connection fate: the generator sets those itself. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'te', 'trailer']);

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));

const token = (max = 12): fc.Arbitrary<string> => chars(TCHAR, 1, max);
const fieldName = token(16).filter((n) => !FRAMING.has(n.toLowerCase()));

// field-vchar and obs-text, with SP/HTAB only inside (the parser trims OWS at both ends).
const VCHAR = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
const OBS_TEXT = '\x80\xa0\xe9\xff';
const fieldValue: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .tuple(chars(VCHAR + OBS_TEXT, 1, 1), chars(VCHAR + OBS_TEXT + ' \t', 0, 20), chars(VCHAR + OBS_TEXT, 1, 1))
    .map(([a, mid, z]) => a + mid + z),
  chars(VCHAR, 1, 1),
);
const ows = chars(' \t', 0, 3);
const field = fc.tuple(fieldName, fieldValue, ows, ows);

const TARGET_CHARS = VCHAR; // visible ASCII, as the parser takes (wider than RFC 3986 on purpose)
const originForm = chars(TARGET_CHARS, 0, 30).map((p) => `/${p}`);
const hostName = fc.constantFrom('example.com', 'a', '127.0.0.1', '[::1]', '[2001:db8::1]', 'xn--bcher-kva.example');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const authority = fc.tuple(hostName, port).map(([h, p]) => (p === undefined ? h : `${h}:${p}`));
const absoluteForm = fc
  .tuple(fc.constantFrom('http', 'https', 'HTTP', 'Https'), authority, fc.constantFrom('', '/', '/p?q=1', '/a/b#frag'))
  .map(([scheme, auth, rest]) => `${scheme}://${auth}${rest}`);

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'QUERY', 'M-SEARCH'];

const bodyBytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const quoted = chars(VCHAR.replace(/["\\]/g, '') + ' \t' + OBS_TEXT, 0, 8).map((s) => `"${s}"`);
const escaped = fc.tuple(quoted, fc.constantFrom('\\"', '\\\\', '\\a')).map(([q, e]) => `${q.slice(0, -1)}${e}"`);
const extension = fc
  .array(fc.tuple(token(6), fc.option(fc.oneof(token(6), quoted, escaped), { nil: undefined })), { maxLength: 2 })
  .map((exts) => exts.map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)).join(''));
const hexSize = fc.tuple(fc.boolean(), fc.nat(2)).map(([upper, zeros]) => (n: number) => '0'.repeat(zeros) + (upper ? n.toString(16).toUpperCase() : n.toString(16)));

type Framing =
  | { kind: 'none' }
  | { kind: 'length'; body: Buffer }
  | { kind: 'chunked'; chunks: { data: Buffer; ext: string }[]; lastExt: string; trailers: [string, string, string, string][]; size: (n: number) => string };

const framing: fc.Arbitrary<Framing> = fc.oneof(
  fc.constant<Framing>({ kind: 'none' }),
  bodyBytes(64).map<Framing>((body) => ({ kind: 'length', body })),
  fc
    .record({
      chunks: fc.array(fc.record({ data: bodyBytes(40).filter((b) => b.length > 0), ext: extension }), { maxLength: 4 }),
      lastExt: extension,
      trailers: fc.array(field, { maxLength: 3 }),
      size: hexSize,
    })
    .map<Framing>((c) => ({ kind: 'chunked', ...c })),
);

/** How a message ends HTTP/1.1 on the connection, when it is the last one. */
type Ending = 'keep-alive' | 'close' | 'upgrade' | 'connect';

const message = fc.record({
  method: fc.constantFrom(...METHODS),
  target: fc.oneof({ weight: 4, arbitrary: originForm }, { weight: 1, arbitrary: absoluteForm }, { weight: 1, arbitrary: fc.constant('*') }),
  http10: fc.boolean(),
  host: fc.option(authority, { nil: undefined }),
  fields: fc.array(field, { maxLength: 6 }),
  framing,
  expect: fc.boolean(),
});

type MessageSpec = typeof message extends fc.Arbitrary<infer T> ? T : never;

function build(spec: MessageSpec, ending: Ending): { wire: string; model: ModelMessage } {
  let { method, target } = spec;
  if (target === '*') method = 'OPTIONS';
  // HTTP/1.0 has no chunked coding (RFC 9112 §6.1); keep-alive must be asked for.
  const http10 = spec.http10 && spec.framing.kind !== 'chunked' && ending !== 'upgrade';
  const lines: [string, string, string, string][] = [];
  if (spec.host !== undefined || !http10) lines.push(['Host', spec.host ?? 'example.com', ' ', '']);
  let connect = false;
  if (ending === 'connect') {
    method = 'CONNECT';
    target = 'example.com:443';
    connect = true;
  }
  lines.push(...spec.fields);
  const f = spec.framing;
  let body: Buffer = Buffer.alloc(0);
  let payload: Buffer = Buffer.alloc(0);
  let contentLength = -1;
  let trailers: string[] | null = null;
  if (f.kind === 'length') {
    lines.push(['Content-Length', String(f.body.length), ' ', '']);
    contentLength = f.body.length;
    body = payload = f.body;
  } else if (f.kind === 'chunked') {
    lines.push(['Transfer-Encoding', 'chunked', ' ', '']);
    const parts: Buffer[] = [];
    for (const c of f.chunks) parts.push(Buffer.from(`${f.size(c.data.length)}${c.ext}\r\n`, 'latin1'), c.data, Buffer.from('\r\n'));
    const trailerText = f.trailers.map(([n, v, a, b]) => `${n}:${a}${v}${b}\r\n`).join('');
    parts.push(Buffer.from(`${f.size(0)}${f.lastExt}\r\n${trailerText}\r\n`, 'latin1'));
    payload = Buffer.concat(parts);
    body = Buffer.concat(f.chunks.map((c) => c.data));
    if (f.trailers.length > 0) trailers = f.trailers.flatMap(([n, v]) => [n, v]);
  }
  if (spec.expect && !connect) lines.push(['Expect', '100-continue', ' ', '']);
  if (ending === 'close') lines.push(['Connection', 'close', ' ', '']);
  else if (ending === 'upgrade') lines.push(['Connection', 'Upgrade', ' ', ''], ['Upgrade', 'websocket', ' ', '']);
  else if (http10) lines.push(['Connection', 'keep-alive', ' ', '']);
  const version = http10 ? '1.0' : '1.1';
  const head = `${method} ${target} HTTP/${version}\r\n${lines.map(([n, v, a, b]) => `${n}:${a}${v}${b}\r\n`).join('')}\r\n`;
  // CONNECT has no body: what follows is the tunnel (RFC 9110 §9.3.6).
  const wire = head + (connect ? '' : payload.toString('latin1'));
  return {
    wire,
    model: {
      method,
      target,
      httpVersion: version,
      rawHeaders: lines.flatMap(([n, v]) => [n, v]),
      trailers: connect ? null : trailers,
      body: connect ? Buffer.alloc(0) : body,
      contentLength,
      chunked: f.kind === 'chunked',
      keepAlive: ending !== 'close',
      upgrade: ending === 'upgrade',
      isConnect: connect,
    },
  };
}

/** One to five pipelined requests, sometimes with empty lines before one, and what follows an end. */
export const validStream: fc.Arbitrary<ModelStream> = fc
  .record({
    specs: fc.array(message, { minLength: 1, maxLength: 5 }),
    ending: fc.constantFrom<Ending>('keep-alive', 'keep-alive', 'close', 'upgrade', 'connect'),
    leadingCrlf: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    after: bodyBytes(16),
  })
  .map(({ specs, ending, leadingCrlf, after }) => {
    let wire = '';
    let end = 0;
    const messages: ModelMessage[] = [];
    specs.forEach((spec, i) => {
      const last = i === specs.length - 1;
      const built = build(spec, last ? ending : 'keep-alive');
      // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request.
      if (leadingCrlf[i]) wire += '\r\n';
      wire += built.wire;
      messages.push(built.model);
    });
    end = wire.length;
    // After HTTP/1.1 ends, the bytes belong to no request (or to the tunnel); they are not parsed.
    if (ending !== 'keep-alive') wire += after.toString('latin1');
    return { bytes: Buffer.from(wire, 'latin1'), messages, end };
  });

/** Cut points for a stream of `length` bytes: none, a few, or every byte. */
export const cutsFor = (length: number): fc.Arbitrary<number[]> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1)) },
  );

/** Byte-level damage: flips, insertions (often of framing bytes), deletions, truncation. */
export type Mutation =
  | { op: 'flip'; at: number; xor: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Buffer }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number };

const position = fc.nat({ max: 0xffff });
const interesting = fc.constantFrom(0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x30, 0x3a, 0x3b, 0x3d, 0x5c, 0x7f, 0x80, 0xff);
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, byte: interesting }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    bytes: fc.oneof(
      fc.constantFrom('\r\n', '\r', '\n', ' ', '\t', ':', ';', '0\r\n\r\n', 'Content-Length: 1\r\n', 'Transfer-Encoding: chunked\r\n', 'Host: a\r\n').map((s) => Buffer.from(s)),
      bodyBytes(8),
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
);

export function applyMutations(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.op === 'insert' ? 1 : 0));
    switch (m.op) {
      case 'flip':
        if (b.length > 0) b[at] ^= m.xor;
        break;
      case 'set':
        if (b.length > 0) b[at] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}
