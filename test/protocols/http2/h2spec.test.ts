// h2spec, the HTTP/2 conformance suite (146 tests of RFC 7540/7541), against tiercel and a bare
// node:http2 server in the same run, over h2c (prior knowledge, on an HTTP/2-only endpoint) and over
// TLS (ALPN h2). tiercel is built on node:http2, so node:http2 is the bar: no test may fail on
// tiercel that passes on node:http2. Some tests are flaky against node:http2 itself
// (../shared/tools/h2spec/README.md), so a disagreement is re-run on both servers, and counts only
// when tiercel fails it on every try.
//
// Known differences from the RFC that node:http2 shares (not regressions, so not counted):
// - 6.9.1 #3 over TLS (a stream's window pushed past 2^31-1 by two WINDOW_UPDATEs must get
//   RST_STREAM(FLOW_CONTROL_ERROR)) fails on tiercel and on a bare node:http2 TLS server alike
//   (0/6 tries each here, node 20.20.2, nghttp2 1.61.0); over h2c tiercel passes it (6/6). Not
//   tiercel's Duplex transport: node's own TLSSocket fails it too. h2spec's request (GET, no
//   END_STREAM) is answered at once; node:http2, and tiercel a turn after the answer left,
//   then reset the unread request (RST_STREAM(NO_ERROR), RFC 9113 §8.1), and the stream is
//   closing. The overflowing WINDOW_UPDATE makes node:http2 destroy the whole session
//   (NODE_DEBUG=http2: "start closing/destroying Error [ERR_HTTP2_ERROR]: Flow control error at
//   Http2Session.onSessionInternalError", on h2c and TLS alike), and the RST_STREAM nghttp2
//   queues for it goes out only if the stream was not closing yet. Replayed with a raw-frame
//   client: WINDOW_UPDATEs read before the answer left get RST_STREAM(FLOW_CONTROL_ERROR); read
//   after it, only GOAWAY(INTERNAL_ERROR) and the close, what h2spec sees over TLS. Which comes
//   first is the transport's timing; tiercel does not see the frame before node:http2 acts on it.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2, { type Http2SecureServer, type Http2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TcpEndpoint } from '../../../connection/index.js';
import { Server } from '../../../hosting/index.js';
import type { HttpApplication } from '../../../protocols/index.js';
import { makeLeaf } from '../../support/tls-certificates.js';
import { compareWithNode, describe, h2specBinary, score, type Comparison, type H2specTarget } from './h2spec-runner.js';

/**
 * Re-runs of a disagreement after the full run: tiercel must fail all 1 + RERUNS tries to count.
 * Some tests fail about one try in four on either server (the 200 races the frame h2spec checks
 * for), so a flaky test fails six in a row about once in 4,000 runs; a test tiercel always fails
 * costs six quick tries.
 */
const RERUNS = 5;

const BODY = 'hello';

/** What h2spec asks for: 200 with a non-empty body on GET and POST (`/`). */
const app: HttpApplication = {
  handle(ex) {
    ex.responseHeaders.set('content-type', 'text/plain');
    ex.end(BODY);
  },
};

/** The stream API as its documentation shows it, plus what keeps a process up under bad frames. */
function answer(stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  // h2spec makes streams fail on purpose; an 'error' without a listener would end the test process.
  stream.on('error', () => undefined);
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end(headers[':method'] === 'HEAD' ? undefined : BODY);
}

interface Servers {
  readonly h2c: { tiercel: H2specTarget; node: H2specTarget };
  readonly tls: { tiercel: H2specTarget; node: H2specTarget };
  stop(): Promise<void>;
}

async function startServers(): Promise<Servers> {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const tiercel = new Server({ logLevel: 'silent' });
  tiercel.useHttp(app);
  tiercel.listen('http://127.0.0.1:0', (ep) => ep.useProtocols('http2'));
  tiercel.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
  await tiercel.start();

  const sessions = new Set<Http2Session>();
  const bare = async (server: Http2Server | Http2SecureServer): Promise<number> => {
    server.on('stream', answer);
    server.on('session', (s: Http2Session) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const nodeH2c = http2.createServer();
  const nodeTls = http2.createSecureServer({ cert: leaf.cert, key: leaf.key });
  const [h2cPort, tlsPort] = await Promise.all([bare(nodeH2c), bare(nodeTls)]);
  return {
    h2c: {
      tiercel: { name: 'tiercel h2c', port: (tiercel.endpoints[0] as TcpEndpoint).port, tls: false },
      node: { name: 'node:http2 h2c', port: h2cPort, tls: false },
    },
    tls: {
      tiercel: { name: 'tiercel TLS', port: (tiercel.endpoints[1] as TcpEndpoint).port, tls: true },
      node: { name: 'node:http2 TLS', port: tlsPort, tls: true },
    },
    async stop() {
      for (const s of sessions) s.destroy();
      await Promise.all([
        tiercel.stop(500),
        new Promise((resolve) => nodeH2c.close(resolve)),
        new Promise((resolve) => nodeTls.close(resolve)),
      ]);
    },
  };
}

function check(transport: string, result: Comparison): void {
  console.log(`h2spec ${transport}: tiercel ${score(result.server)}, node:http2 ${score(result.node)}` +
    (result.flaky.length > 0 ? `; flaky on tiercel (failed, then passed on a re-run): ${result.flaky.join(', ')}` : ''));
  assert.ok(
    result.regressions.length === 0,
    `h2spec ${transport}: ${result.regressions.length} test(s) pass on node:http2 and fail on tiercel every time:\n${describe(result.regressions)}`,
  );
}

const bin = await h2specBinary();

if (bin === undefined) {
  test.skip('h2spec over h2c: tiercel passes every test node:http2 passes');
  test.skip('h2spec over TLS: tiercel passes every test node:http2 passes');
} else {
  // Started when this file's tests run, not when it is imported: uvu imports every test file before
  // it runs any, and h2spec's connections then landed in other files' process-wide counts
  // (diagnostics events, metrics) and loaded the machine under their timing.
  let servers: Servers | undefined;
  let h2c!: Promise<Comparison>;
  let tls!: Promise<Comparison>;

  test.before(async () => {
    try {
      servers = await startServers();
      // Both transports run at once (h2spec spends most of its time waiting out timeouts).
      h2c = compareWithNode(bin, servers.h2c.tiercel, servers.h2c.node, RERUNS);
      tls = compareWithNode(bin, servers.tls.tiercel, servers.tls.node, RERUNS);
    } catch (err) {
      // uvu does not report an error thrown by a before hook: each test reports it instead.
      h2c = tls = Promise.reject(err);
    }
    // A rejection is read by its test, so it is marked handled here to not fail the process first.
    h2c.catch(() => undefined);
    tls.catch(() => undefined);
  });

  test('h2spec over h2c (prior knowledge, HTTP/2-only endpoint): tiercel passes every test node:http2 passes', async () => {
    check('h2c', await h2c);
  });

  test('h2spec over TLS (ALPN h2): tiercel passes every test node:http2 passes', async () => {
    check('TLS', await tls);
  });

  test.after(async () => {
    await Promise.allSettled([h2c, tls]);
    await servers?.stop();
  });
}

test.run();
